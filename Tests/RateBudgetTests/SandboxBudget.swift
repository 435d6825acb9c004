import AsyncHTTPClient
import Foundation
import LunasStore
import RateBudget
import ScalevSandbox
import Synchronization

/// A sandbox with scaled-down business windows (20/2s, 200/20s, real time), a SQLite ledger in a
/// temporary file, budgets over it, and an HTTP client; every gated request is logged.
final class SandboxBudget: Sendable {
    struct Attempt: Sendable {
        let at: ContinuousClock.Instant
        let script: String
        let status: Int
        let gated: Bool
    }

    static let spec = BudgetSpec(windows: [RateWindow(length: .seconds(2), limit: 20), RateWindow(length: .seconds(20), limit: 200)])

    let sandbox: ScalevSandbox
    let client: HTTPClient
    let store: any Store
    let budgets: RateBudgets
    let folder: URL
    private let log = Mutex<[Attempt]>([])

    private init(sandbox: ScalevSandbox, client: HTTPClient, store: any Store, folder: URL) {
        self.sandbox = sandbox
        self.client = client
        self.store = store
        self.budgets = RateBudgets(ledger: store)
        self.folder = folder
    }

    static func start() async throws -> SandboxBudget {
        let configuration = SandboxConfiguration(
            seededOrderCount: 10, businessRateLimits: [.init(limit: 20, seconds: 2), .init(limit: 200, seconds: 20)])
        let sandbox = try await ScalevSandbox.start(configuration)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try await StoreLocation.sqlite(path: folder.appendingPathComponent("lunas.db").path).open(options: StoreOptions(purgeInterval: nil))
        return SandboxBudget(sandbox: sandbox, client: client, store: store, folder: folder)
    }

    func stop() async {
        try? await client.shutdown()
        await sandbox.stop()
        await store.close()
        try? FileManager.default.removeItem(at: folder)
    }

    var attempts: [Attempt] { log.withLock { $0 } }

    /// One GET of the business key, not gated (another client of the key).
    func outsideGet(script: String) async throws {
        let at = ContinuousClock.now
        let (status, _) = try await get()
        log.withLock { $0.append(Attempt(at: at, script: script, status: status, gated: false)) }
    }

    /// One request through the budget: acquire, send, observe; a 429 is retried through the budget.
    func gatedGet(script: String, weight: Int) async throws {
        let credential = "business"
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
/// most `min over windows of limit * ceil(60 s / length)` = min(20 * 30, 200 * 3) = 600 requests.
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
