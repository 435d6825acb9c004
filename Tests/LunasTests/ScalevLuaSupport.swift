import AsyncHTTPClient
import Foundation
import LuaKit
import LunasRuntime
import LunasTesting
import Scalev
import ScalevSandbox
import Synchronization
import LunasStore

/// A sandbox harness, the clients of its credentials, and a way to run Lua scripts that use
/// `scalev` against it; every line any run traced, logged or failed with is kept for the
/// redaction check. Handed to the test's ``TestScope``, which stops it when the test ends.
final class ScalevWorld: Sendable {
    let harness: SandboxHarness
    let folder: URL
    private let lines = Mutex<[String]>([])
    private let vaults = Mutex<[any Store]>([])

    init(orders: Int = 40) async throws {
        harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: orders, rateLimitingEnabled: false), http: HTTPClient.Configuration())
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-scalev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        TestScope.adopt { [self] in try await stop() }
    }

    var sandbox: ScalevSandbox { harness.sandbox }
    var http: HTTPClient { harness.http }

    /// Closes the vaults, stops the harness and removes the folder.
    func stop() async throws {
        for vault in vaults.withLock({ stores in defer { stores.removeAll() }; return stores }) { await vault.close() }
        try await harness.stop()
        if FileManager.default.fileExists(atPath: folder.path) { try FileManager.default.removeItem(at: folder) }
    }

    var secrets: [String] {
        let c = sandbox.credentials
        return [c.businessKey, c.restrictedKey, c.storefrontKey, c.customerPassword]
    }

    func access(dryRun: Bool = false, defaultCredential: String = "main") -> ScalevAccess {
        let c = sandbox.credentials
        let configuration = ScalevClient.Configuration(baseURL: sandbox.baseURL, backoffBase: .milliseconds(5), backoffCap: .milliseconds(20))
        func client(_ credential: ScalevCredential) -> ScalevClient {
            ScalevClient(configuration: configuration, credential: credential, http: http)
        }
        var access = ScalevAccess(grants: [
            .init(name: "main", client: client(.apiKey(c.businessKey))),
            .init(name: "readonly", client: client(.apiKey(c.restrictedKey))),
            .init(name: "shop", client: client(.storefront(publishableKey: c.storefrontKey, storeID: c.storeUniqueID))),
        ], defaultCredential: defaultCredential, dryRun: dryRun)
        access.trace = { [weak self] line in self?.keep(line) }
        access.recordWrite = { [weak self] line in self?.keep(line) }
        return access
    }

    func keep(_ line: String) { lines.withLock { $0.append(line) } }
    var everyLine: [String] { lines.withLock { $0 } }

    /// Runs `source` as `NAME.lua` with `scalev`; returns what the chunk returned.
    func run(_ source: String, name: String = "script", access: ScalevAccess? = nil) async throws -> [LuaValue] {
        let file = folder.appendingPathComponent("\(name).lua")
        try source.write(to: file, atomically: true, encoding: .utf8)
        var options = ScriptOptions(limits: LuaLimits(memory: 64 << 20, deadline: .seconds(60)))
        options.scalev = access ?? self.access()
        options.secrets = secrets
        let logger = ScriptLogger(redactor: Redactor(secrets: secrets), minimum: .debug, maxBytes: 1 << 20) { [weak self] line in self?.keep(line) }
        do {
            return try await ScriptRun(file: file.path, options: options, logger: logger).run()
        } catch {
            keep(String(describing: error))
            throw error
        }
    }
}

extension ScalevWorld {
    /// ``access()`` plus `shopper`, the sandbox's customer, signed in with tokens in a vault on a
    /// SQLite file of the world's folder.
    func customerAccess() async throws -> ScalevAccess {
        let store = try await StoreLocation.sqlite(path: folder.appendingPathComponent("vault.db").path).open()
        vaults.withLock { $0.append(store) }
        let vault = CredentialVault(store: store, key: VaultKey.generate())
        let c = sandbox.credentials
        let session = CustomerSession(vaultName: "shopper", storeID: c.storeUniqueID, publishableKey: c.storefrontKey)
        let configuration = ScalevClient.Configuration(baseURL: sandbox.baseURL)
        _ = try await CustomerLogin.logIn(email: c.customerEmail, password: c.customerPassword, session: session,
                                          configuration: configuration, http: http, vault: vault)
        var access = access()
        let client = ScalevClient(configuration: configuration, credential: .customer(session), http: http, vault: vault)
        access.grants["shopper"] = .init(name: "shopper", client: client)
        return access
    }
}
