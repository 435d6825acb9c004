import AsyncHTTPClient
import Foundation
import LunasRuntime
import LunasStore
import LunasTesting
@testable import Scalev
import ScalevModel
import ScalevSandbox
import Synchronization
import Testing

/// Every trace line and error description a test produced, for the redaction checks.
final class TraceLog: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A pacer that admits at once and records what it saw; `onAdmit` runs before admitting
/// (with the admit's number, from 1).
final class RecordingPacer: RequestPacer {
    struct Observation: Sendable {
        var key: BudgetKey
        var status: Int
        var headers: [(String, String)]
    }
    private let state = Mutex<(admits: [BudgetKey], observations: [Observation], settled: [UInt64])>(([], [], []))
    let onAdmit: (@Sendable (Int) async -> Void)?

    init(onAdmit: (@Sendable (Int) async -> Void)? = nil) { self.onAdmit = onAdmit }

    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket {
        let number = state.withLock { state in
            state.admits.append(key)
            return state.admits.count
        }
        await onAdmit?(number)
        return PacerTicket(id: UInt64(number))
    }

    func observe(_ key: BudgetKey, script: String, ticket: PacerTicket, status: Int?, headers: [(String, String)]) async {
        state.withLock { state in
            state.settled.append(ticket.id)
            if let status { state.observations.append(Observation(key: key, status: status, headers: headers)) }
        }
    }

    var admits: [BudgetKey] { state.withLock { $0.admits } }
    var statuses: [Int] { state.withLock { $0.observations.map(\.status) } }
    var observations: [Observation] { state.withLock { $0.observations } }
    /// The tickets settled, answered or not, in order.
    var settled: [UInt64] { state.withLock { $0.settled } }
}

/// A sandbox harness, and the clients a test made (whose secrets are checked against every trace
/// line and error at the end). Handed to the test's ``TestScope``, which stops it when the test
/// ends.
final class TestSandbox: Sendable {
    let harness: SandboxHarness
    let log = TraceLog()
    private let clients = Mutex<[ScalevClient]>([])
    private let extraSecrets = Mutex<[String]>([])
    private let vaults = Mutex<[(store: any Store, file: String)]>([])
    private let stopped = Mutex(false)

    private init(harness: SandboxHarness) {
        self.harness = harness
    }

    static func start(orders: Int = 30) async throws -> TestSandbox {
        let sandbox = TestSandbox(harness: try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: orders, rateLimitingEnabled: false)))
        TestScope.adopt { try await sandbox.stop() }
        return sandbox
    }

    var sandbox: ScalevSandbox { harness.sandbox }
    var http: HTTPClient { harness.http }

    /// Checks that no trace line or recorded error holds a secret, then stops everything (once).
    func stop() async throws {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        checkRedaction()
        try await harness.stop()
        for (store, file) in vaults.withLock({ $0 }) {
            await store.close()
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: file + suffix) {
                try FileManager.default.removeItem(atPath: file + suffix)
            }
        }
    }

    /// Every secret known to the test: the sandbox's credentials, each client's secrets and any
    /// added by the test.
    var allSecrets: [String] {
        let c = credentials
        var secrets = [c.businessKey, c.restrictedKey, c.storefrontKey, c.otpStorefrontKey, c.customerPassword, c.oauthClientSecret]
        secrets += clients.withLock { $0.flatMap(\.secrets) }
        secrets += extraSecrets.withLock { $0 }
        return secrets.filter { $0.count >= 6 }
    }

    func addSecret(_ secret: String) { extraSecrets.withLock { $0.append(secret) } }

    func checkRedaction() {
        let secrets = allSecrets
        for line in log.all {
            for secret in secrets where line.contains(secret) {
                Issue.record("a trace line or error holds a secret: \(line.replacingOccurrences(of: secret, with: "<SECRET>"))")
            }
        }
    }

    var credentials: SandboxCredentials { sandbox.credentials }
    var storePath: String { "/v3/stores/\(credentials.storeUniqueID)" }

    func configuration(timeout: Duration = .seconds(20), attempts: Int = 4, backoff: Duration = .milliseconds(5)) -> ScalevClient.Configuration {
        ScalevClient.Configuration(
            baseURL: sandbox.baseURL, requestTimeout: timeout, maxAttempts: attempts, backoffBase: backoff, backoffCap: .milliseconds(50),
            maxRateLimitWait: .seconds(5))
    }

    func client(
        _ credential: ScalevCredential, vault: CredentialVault? = nil, pacer: (any RequestPacer)? = nil, configuration: ScalevClient.Configuration? = nil
    ) -> ScalevClient {
        let client = ScalevClient(configuration: configuration ?? self.configuration(), credential: credential, http: http, vault: vault, pacer: pacer)
        clients.withLock { $0.append(client) }
        return client
    }

    var business: ScalevClient { client(.apiKey(credentials.businessKey)) }

    func context(script: String = "test.lua", dryRun: Bool = false, deadline: ContinuousClock.Instant? = nil, writes: TraceLog? = nil) -> RequestContext {
        let log = self.log
        return RequestContext(
            script: script, deadline: deadline, dryRun: dryRun, trace: { log.append($0) },
            recordWrite: { line in
                log.append(line)
                writes?.append(line)
            })
    }

    /// Runs `body`, expecting a ``ScalevError``; records its description for the redaction check.
    func expectError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ScalevError? {
        do {
            try await body()
            Issue.record("expected a ScalevError", sourceLocation: sourceLocation)
            return nil
        } catch let error as ScalevError {
            log.append(error.description)
            return error
        } catch {
            Issue.record("expected a ScalevError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// A vault over a fresh SQLite file (or `path`, to share one file between two "processes").
    func vault(path: String? = nil, key: VaultKey) async throws -> (CredentialVault, String) {
        let file = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("scalev-vault-\(UUID().uuidString).db").path
        let store = try await SQLiteStore(path: file)
        vaults.withLock { $0.append((store, file)) }
        return (CredentialVault(store: store, key: key), file)
    }

    // MARK: Direct HTTP (admin API, checks that bypass the client)

    @discardableResult
    func raw(_ method: String, _ path: String, body: JSON? = nil, headers: [(String, String)] = []) async throws -> (status: Int, json: JSON) {
        let fields = body == nil ? headers : headers + [("Content-Type", "application/json")]
        let reply = try await harness.request(method, path, headers: fields, body: body?.encoded())
        return (reply.status, (try? JSON(parsing: reply.body)) ?? .null)
    }

    func admin(_ method: String, _ path: String, _ body: JSON? = nil) async throws {
        let reply = try await raw(method, "/_sandbox" + path, body: body)
        #expect((200...299).contains(reply.status), "admin \(method) \(path) answered \(reply.status)")
    }

    func fault(_ rule: JSON) async throws { try await admin("POST", "/faults", rule) }

    func advanceClock(_ seconds: Int64) async throws { try await harness.advanceClock(by: Double(seconds)) }

    /// Orders whose customer email contains `email`, read directly.
    func orderCount(email: String) async throws -> Int {
        let query = ScalevClient.encodeQuery([("search", email), ("search_field", "customer_email"), ("page_size", "25")])
        let reply = try await raw("GET", "/v3/orders?" + query, headers: [("Authorization", "Bearer \(credentials.businessKey)")])
        return reply.json["data"].arrayValue?.count ?? -1
    }

    /// A digital order body for the storefront store (the e-book, variant 9006).
    func digitalOrder(email: String) async throws -> JSON {
        let variant = try await raw("GET", "/v3/variants/9006", headers: [("Authorization", "Bearer \(credentials.businessKey)")]).json
        return [
            "store_unique_id": .string(credentials.storeUniqueID), "customer_name": "Tester", "customer_email": .string(email),
            "customer_phone": "6281200000000", "payment_method": "invoice",
            "ordervariants": [["variant_unique_id": variant["unique_id"], "quantity": 1]],
        ]
    }
}

extension ScalevResponse {
    /// The parsed body, `null` when it is not JSON.
    var value: JSON { (try? json()) ?? .null }
}
