import AsyncHTTPClient
import Foundation
import LunasStore
import NIOCore
import NIOPosix
import RateBudget
import Scalev
import Synchronization

/// A runtime's side of Scalev: one HTTP client and one set of rate budgets for all its runs,
/// each made when the first run that uses Scalev needs it, and the credentials each run is
/// granted, resolved to signed clients.
final class ScalevConnector: Sendable {
    private let configuration: RuntimeConfiguration
    private let store: OnDemandStore?
    private let givenHTTP: HTTPClient?
    private let parts = Mutex(Parts())

    private struct Parts {
        var group: MultiThreadedEventLoopGroup?
        var http: HTTPClient?
        var pacer: BudgetPacer?
        var shutDown = false
    }

    /// A connector; `http` is a host's client (kept open at shutdown), else one is made on first use.
    init(configuration: RuntimeConfiguration, store: OnDemandStore?, http: HTTPClient?) {
        self.configuration = configuration
        self.store = store
        self.givenHTTP = http
    }

    /// The client every run's requests go through.
    func http() throws -> HTTPClient {
        if let givenHTTP { return givenHTTP }
        return try parts.withLock { parts in
            guard !parts.shutDown else { throw CancellationError() }
            if let http = parts.http { return http }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: ScalevClient.httpConfiguration())
            parts.group = group
            parts.http = http
            return http
        }
    }

    /// The budgets every request waits on (`nil` with budgets off): over the store's ledger, so
    /// that every process on the store shares them, or in memory without a store.
    private func pacer() throws -> BudgetPacer? {
        guard configuration.budgets else { return nil }
        if let pacer = parts.withLock({ $0.pacer }) { return pacer }
        let ledger: any RateLedger = store ?? MemoryRateLedger()
        let clock = store?.options.clock ?? configuration.storeOptions.clock
        let pacer = try BudgetPacer(
            ledger: ledger, clock: clock, environment: configuration.environment,
            weights: configuration.lunas.scripts.mapValues(\.weight), onWaiting: configuration.onBudgetWait)
        return parts.withLock { parts in
            if let existing = parts.pacer { return existing }
            parts.pacer = pacer
            return pacer
        }
    }

    /// The access of one run: its granted credentials, each a client of this runtime's HTTP
    /// client under its budget; `nil` when it is granted none.
    func access(for request: RunRequest, script: String) async throws -> ScalevAccess? {
        var access: ScalevAccess
        switch request.credentials {
        case .none:
            return nil
        case .sandbox(let account, let chosen):
            access = try sandboxAccess(account, chosen: chosen ?? "sandbox")
        case .configured(let requested):
            access = try await configuredAccess(script: script, requested: requested)
        }
        access.dryRun = request.dryRun != nil
        let output = request.output
        if request.traceRequests { access.trace = { line in output.notice(line + "\n") } }
        if request.dryRun != nil { access.recordWrite = { line in output.notice(line + "\n") } }
        access.progress = request.progress
        if let pacer = try pacer() {
            if let weight = request.budgetWeight { pacer.setWeight(weight, for: script) }
            for grant in access.grants.values {
                for path in ["/v3", "/v2"] { pacer.setName(grant.name, for: grant.client.budgetKey(for: path)) }
            }
            access.budget = { grant, script in await pacer.luaSnapshot(grant.client.budgetKey(for: "/v3"), script: script) }
        }
        return access
    }

    private func sandboxAccess(_ account: SandboxAccount, chosen: String) throws -> ScalevAccess {
        guard SandboxAccount.credentialNames.contains(chosen) else {
            throw RunSetupError("against the sandbox the credentials are \(SandboxAccount.credentialNames.joined(separator: ", ")); not '\(chosen)'")
        }
        let http = try http()
        let pacer = try pacer()
        let clientConfiguration = ScalevClient.Configuration(baseURL: account.baseURL)
        func client(_ credential: ScalevCredential, vault: (any TokenVault)? = nil) -> ScalevClient {
            ScalevClient(configuration: clientConfiguration, credential: credential, http: http, vault: vault, pacer: pacer)
        }
        let customer = CustomerSession(vaultName: "sandbox-customer", storeID: account.storeID, publishableKey: account.storefrontKey)
        let customerVault = SandboxCustomerVault { vault in
            _ = try await CustomerLogin.logIn(
                email: account.customerEmail, password: account.customerPassword, session: customer, configuration: clientConfiguration,
                http: http, vault: vault)
        }
        let grants = [
            ScalevAccess.Grant(name: "sandbox", client: client(.apiKey(account.businessKey))),
            ScalevAccess.Grant(name: "sandbox-restricted", client: client(.apiKey(account.restrictedKey))),
            ScalevAccess.Grant(name: "sandbox-storefront", client: client(.storefront(publishableKey: account.storefrontKey, storeID: account.storeID))),
            ScalevAccess.Grant(name: "sandbox-customer", client: client(.customer(customer), vault: customerVault)),
        ]
        return ScalevAccess(grants: grants, defaultCredential: chosen)
    }

    private func configuredAccess(script: String, requested: String?) async throws -> ScalevAccess {
        let lunas = configuration.lunas
        let file = lunas.file ?? LunasConfiguration.defaultFile
        let resolver = CredentialResolver(configuration: lunas, environment: configuration.environment)
        let plan = try resolver.plan(script: script, requested: requested)
        var vault: CredentialVault?
        if plan.granted.contains(where: resolver.needsVault) {
            guard let store else {
                throw ConfigurationError(file: file, message: "credentials kept in the vault need a store; this runtime has none")
            }
            vault = CredentialVault(store: try await store.store(), key: try VaultKey.load(environment: configuration.environment, keyFile: lunas.vaultKeyFile))
        }
        let http = try http()
        let pacer = try pacer()
        var grants: [ScalevAccess.Grant] = []
        for name in plan.granted {
            let resolved = try await resolver.resolve(name, vault: vault)
            let clientConfiguration = ScalevClient.Configuration(baseURL: resolved.baseURL, v2BaseURL: lunas.v2BaseURL)
            let client = ScalevClient(configuration: clientConfiguration, credential: resolved.credential, http: http, vault: vault, pacer: pacer)
            if resolved.budget != nil || resolved.reserve != nil {
                let spec: BudgetSpec
                do {
                    spec = try BudgetSpec(parsing: (resolved.budget ?? [BudgetSpec.scalevBusiness.description]).joined(separator: ","),
                                          reserve: resolved.reserve ?? 0)
                } catch {
                    throw ConfigurationError(file: file, message: "credentials.\(name).budget: \(error)")
                }
                if let smallest = spec.windows.map(\.limit).min(), spec.reserve >= smallest {
                    throw ConfigurationError(file: file, message: "credentials.\(name).reserve: \(spec.reserve) leaves nothing of the \(smallest)-request window; keep it below \(smallest)")
                }
                pacer?.setSpec(spec, for: client.budgetKey(for: "/v3"))
            }
            grants.append(ScalevAccess.Grant(name: name, client: client))
        }
        return ScalevAccess(grants: grants, defaultCredential: plan.defaultCredential)
    }

    /// Closes the HTTP client and event loop it made (not a host's).
    func shutdown() async {
        let (http, group) = parts.withLock { parts in
            parts.shutDown = true
            defer { parts.http = nil; parts.group = nil }
            return (parts.http, parts.group)
        }
        try? await http?.shutdown()
        try? await group?.shutdownGracefully()
    }
}

/// A request a runtime cannot set up (it ends as ``RunOutcome/rejected(_:)``).
struct RunSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
