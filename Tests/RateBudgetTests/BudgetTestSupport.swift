import Foundation
import LunasClock
import LunasStore
import RateBudget
import ScalevModel
import Synchronization

/// A ledger on a test's clock that counts its writes and whose wall clock can be moved (to make
/// it jump).
final class TestLedger: RateLedger {
    let calls = Atomic<Int>(0)
    private let clock: ShiftedClock
    let memory: MemoryRateLedger

    init(clock: TestClock) {
        self.clock = ShiftedClock(base: clock)
        memory = MemoryRateLedger(clock: self.clock)
    }

    func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        calls.add(1, ordering: .relaxed)
        return try await memory.reserve(request)
    }

    func jump(by seconds: TimeInterval) { clock.shift.withLock { $0 += seconds } }
}

/// A clock whose wall time is another's moved by `shift` seconds (its monotonic line is the same).
final class ShiftedClock: WallClock {
    let base: any WallClock
    let shift = Mutex<TimeInterval>(0)

    init(base: any WallClock) { self.base = base }

    func now() -> Date { base.now().addingTimeInterval(shift.withLock { $0 }) }
    func instant() -> ContinuousClock.Instant { base.instant() }
    func sleep(until deadline: ContinuousClock.Instant) async throws { try await base.sleep(until: deadline) }
    func spawn(_ operation: @escaping @Sendable () async -> Void) -> Task<Void, Never> { base.spawn(operation) }
    func waitForEvent<T: Sendable>(isolation: isolated (any Actor)?, body: (ClockContinuation<T>) -> Void) async throws -> T {
        try await base.waitForEvent(isolation: isolation, body: body)
    }
    var isSystemTime: Bool { false }
}

/// The instants at which calls were let through, from any task, on `clock`'s monotonic line.
final class SendRecorder: Sendable {
    private let clock: any WallClock
    private let entries = Mutex<[(at: ContinuousClock.Instant, script: String)]>([])

    init(clock: any WallClock = SystemClock()) { self.clock = clock }

    func record(_ script: String) {
        let now = clock.instant()
        entries.withLock { $0.append((now, script)) }
    }

    var times: [ContinuousClock.Instant] { entries.withLock { $0.map(\.at) }.sorted() }

    func count(_ script: String) -> Int { entries.withLock { $0.filter { $0.script == script }.count } }

    /// How many of the sends `range` (in the order they happened) each script had.
    func counts(_ range: Range<Int>) -> [String: Int] {
        entries.withLock { entries in
            entries.sorted { $0.at < $1.at }[range].reduce(into: [:]) { $0[$1.script, default: 0] += 1 }
        }
    }

    var total: Int { entries.withLock { $0.count } }
}

/// The first place where more than a window's limit fall in an interval of its length, if any.
func firstViolation(_ times: [ContinuousClock.Instant], _ windows: [RateWindow]) -> String? {
    let sorted = times.sorted()
    for window in windows where sorted.count > window.limit {
        for i in window.limit..<sorted.count where sorted[i] - sorted[i - window.limit] < window.length {
            return "\(window.limit + 1) sends within \(sorted[i] - sorted[i - window.limit]) (window \(window.limit)/\(window.length)) at send \(i)"
        }
    }
    return nil
}

/// One task's loop of acquire (each grant answered at once) until `stop` says so.
private func callLoop(_ budgets: RateBudgets, credential: String, spec: BudgetSpec, script: (name: String, weight: Int, tasks: Int),
                      recorder: SendRecorder, until stop: @Sendable () -> Bool) async throws {
    while !stop() {
        let grant = try await budgets.acquire(credential: credential, spec: spec, script: script.name, weight: script.weight,
                                              deadline: nil, onLongWait: nil)
        recorder.record(script.name)
        await budgets.observe(credential: credential, script: script.name, grant: grant, status: 200)
    }
}

/// Runs `tasks` loops of acquire (each grant answered at once) until `stop` says so; returns
/// when all ended. In real time.
func hammer(_ budgets: RateBudgets, credential: String, spec: BudgetSpec, scripts: [(name: String, weight: Int, tasks: Int)],
            recorder: SendRecorder, until stop: @escaping @Sendable () -> Bool) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for script in scripts {
            for _ in 0..<script.tasks {
                group.addTask { try await callLoop(budgets, credential: credential, spec: spec, script: script, recorder: recorder, until: stop) }
            }
        }
        try await group.waitForAll()
    }
}

/// ``hammer(_:credential:spec:scripts:recorder:until:)`` in `clock`'s virtual time: the loops
/// run as the clock's tasks, and time moves from one wake-up to the next until all ended.
func hammer(_ budgets: RateBudgets, clock: TestClock, credential: String, spec: BudgetSpec,
            scripts: [(name: String, weight: Int, tasks: Int)], recorder: SendRecorder,
            until stop: @escaping @Sendable () -> Bool) async throws {
    final class Running: Sendable { let count = Atomic<Int>(0) }
    var loops: [Task<Void, any Error>] = []
    let running = Running()
    for script in scripts {
        for _ in 0..<script.tasks {
            running.count.add(1, ordering: .relaxed)
            loops.append(clock.run {
                defer { running.count.subtract(1, ordering: .relaxed) }
                try await callLoop(budgets, credential: credential, spec: spec, script: script, recorder: recorder, until: stop)
            })
        }
    }
    let ended = await clock.advance(until: { running.count.load(ordering: .relaxed) == 0 }, within: .seconds(3600))
    if !ended { for loop in loops { loop.cancel() } }
    for loop in loops { try await loop.value }
    if !ended { throw HammerStalled() }
}

/// The calls of a virtual-time hammer stopped waiting for anything the clock could bring.
struct HammerStalled: Error {}
