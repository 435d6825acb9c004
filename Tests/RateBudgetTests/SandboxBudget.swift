import AsyncHTTPClient
import Foundation
import LunasStore
import LunasTesting
import RateBudget
import ScalevModel
import ScalevSandbox
import Synchronization

/// A sandbox with scaled-down business windows (40/4s, 200/20s, real time), a SQLite ledger in a
/// temporary file, budgets over it, and an HTTP client; every gated request is logged. Its
/// harness and fixture are handed to the test's ``TestScope``.
final class SandboxBudget: Sendable {
    struct Attempt: Sendable {
        let at: ContinuousClock.Instant
        let script: String
        let status: Int
        let gated: Bool
    }

    static let spec = BudgetSpec(windows: [RateWindow(length: .seconds(4), limit: 40), RateWindow(length: .seconds(20), limit: 200)])

    let harness: SandboxHarness
    let fixture: StoreFixture
    let budgets: RateBudgets
    private let log = Mutex<[Attempt]>([])

    private init(harness: SandboxHarness, fixture: StoreFixture) {
        self.harness = harness
        self.fixture = fixture
        self.budgets = RateBudgets(ledger: fixture.store)
    }

    static func start() async throws -> SandboxBudget {
        let configuration = SandboxConfiguration(
            seededOrderCount: 10, businessRateLimits: spec.windows)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let harness = try await SandboxHarness.start(configuration, clock: .running, http: clientConfiguration)
        return SandboxBudget(harness: harness, fixture: try await StoreFixture.open(.sqlite))
    }

    var sandbox: ScalevSandbox { harness.sandbox }
    var client: HTTPClient { harness.http }
    var store: any Store { fixture.store }

    func stop() async throws {
        try await harness.stop()
        try await fixture.close()
    }

    var attempts: [Attempt] { log.withLock { $0 } }

    /// One GET of the business key, not gated (another client of the key).
    func outsideGet(script: String) async throws {
        let at = ContinuousClock.now
        let (status, _) = try await get()
        log.withLock { $0.append(Attempt(at: at, script: script, status: status, gated: false)) }
    }

    /// Every request to the business key from now on waits `milliseconds` (a range: each drawn
    /// from it) before the sandbox counts it (a fault rule).
    func addLatency(_ milliseconds: ClosedRange<Int>) async throws {
        let body = #"{"route":"*","latency_ms":\#(milliseconds.lowerBound),"latency_max_ms":\#(milliseconds.upperBound)}"#
        let reply = try await harness.request("POST", "/_sandbox/faults", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        precondition((200...299).contains(reply.status), "the sandbox refused the fault rule: \(reply.status)")
    }

    /// One request through the budget (`through` another process's budgets over the same
    /// ledger, if given): acquire, send, observe; a 429 is retried through the budget.
    func gatedGet(script: String, weight: Int, through other: RateBudgets? = nil) async throws {
        let credential = "business"
        let budgets = other ?? self.budgets
        while true {
            let grant = try await budgets.acquire(credential: credential, spec: Self.spec, script: script, weight: weight, deadline: nil, onLongWait: nil)
            let at = ContinuousClock.now
            let status: Int, headers: [String: String]
            do {
                (status, headers) = try await get()
            } catch {
                await budgets.observe(credential: credential, script: script, grant: grant, status: nil)
                throw error
            }
            log.withLock { $0.append(Attempt(at: at, script: script, status: status, gated: true)) }
            await budgets.observe(
                credential: credential, script: script, grant: grant, status: status, remaining: headers["x-ratelimit-remaining"].flatMap { Int($0) },
                limit: headers["x-ratelimit-limit"].flatMap { Int($0) },
                reset: headers["x-ratelimit-reset"].flatMap { Double($0) }.map { Date(timeIntervalSince1970: $0) })
            if status != 429 { return }
        }
    }

    private func get() async throws -> (Int, [String: String]) {
        var request = HTTPClientRequest(url: sandbox.baseURL + "/v3/stores")
        request.headers.add(name: "Authorization", value: "Bearer \(sandbox.credentials.businessKey)")
        let response = try await client.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return (Int(response.status.code), headers)
    }
}

/// The measure: over `[t0, t0 + 60 s)`, t0 being the first gated send, the windows allow at
/// most `min over windows of limit * ceil(60 s / length)` = min(40 * 15, 200 * 3) = 600 requests.
struct Utilisation: CustomStringConvertible {
    static let length = Duration.seconds(60)
    static let allowed = 600

    let ours: Int
    let ours429: Int
    let outside: Int
    let byScript: [String: Int]

    init(_ attempts: [SandboxBudget.Attempt]) {
        let t0 = attempts.filter(\.gated).map(\.at).min() ?? .now
        let inside = attempts.filter { $0.at >= t0 && $0.at < t0 + Self.length }
        ours = inside.filter { $0.gated && $0.status == 200 }.count
        ours429 = inside.filter { $0.gated && $0.status == 429 }.count
        outside = inside.filter { !$0.gated && $0.status == 200 }.count
        byScript = inside.filter { $0.gated && $0.status == 200 }.reduce(into: [:]) { $0[$1.script, default: 0] += 1 }
    }

    /// Our share of what the windows left us.
    var used: Double { Double(ours) / Double(Self.allowed - outside) }

    var description: String {
        "sent \(ours) of \(Self.allowed - outside) left (\(String(format: "%.1f", used * 100))%), 429s \(ours429), outside client \(outside)"
    }
}
