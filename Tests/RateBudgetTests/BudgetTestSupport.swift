import Foundation
import LunasStore
import RateBudget
import Synchronization

/// A ledger that counts its writes and whose clock can be moved (to make it jump).
final class TestLedger: RateLedger {
    let calls = Atomic<Int>(0)
    private final class Shift: Sendable { let seconds = Mutex<TimeInterval>(0) }
    private let shift = Shift()
    let memory: MemoryRateLedger

    init() {
        let shift = self.shift
        memory = MemoryRateLedger { Date().addingTimeInterval(shift.seconds.withLock { $0 }) }
    }

    func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        calls.add(1, ordering: .relaxed)
        return try await memory.reserve(request)
    }

    func jump(by seconds: TimeInterval) { shift.seconds.withLock { $0 += seconds } }
}

/// The instants at which calls were let through, from any task.
final class SendRecorder: Sendable {
    private let entries = Mutex<[(at: ContinuousClock.Instant, script: String)]>([])

    func record(_ script: String) { entries.withLock { $0.append((.now, script)) } }

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

/// Runs `tasks` loops of acquire (each grant answered at once) until `stop` says so; returns
/// when all ended.
func hammer(_ budgets: RateBudgets, credential: String, spec: BudgetSpec, scripts: [(name: String, weight: Int, tasks: Int)],
            recorder: SendRecorder, until stop: @escaping @Sendable () -> Bool) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for script in scripts {
            for _ in 0..<script.tasks {
                group.addTask {
                    while !stop() {
                        let grant = try await budgets.acquire(credential: credential, spec: spec, script: script.name, weight: script.weight,
                                                              deadline: nil, onLongWait: nil)
                        recorder.record(script.name)
                        await budgets.observe(credential: credential, script: script.name, grant: grant, status: 200)
                    }
                }
            }
        }
        try await group.waitForAll()
    }
}
