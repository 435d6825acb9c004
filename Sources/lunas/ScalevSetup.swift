import AsyncHTTPClient
import Foundation
import LunasRuntime
import LunasStore
import RateBudget
import Scalev
import ScalevSandbox

/// What `lunas run` hands a script for Scalev: the in-process sandbox's credentials with
/// `--sandbox`, else the configured (or environment) credentials the script is granted.
struct ScalevSetup {
    var configuration: LunasConfiguration
    var script: String
    var requestedCredential: String?
    var dryRun: Bool
    var verbose: Bool
    var pacer: BudgetPacer?

    /// The credentials of a running sandbox, all granted: `sandbox` (secret key, the default),
    /// `sandbox-restricted` (read-only key), `sandbox-storefront`, and `sandbox-customer` (the
    /// seeded customer, signed in when first used, its tokens held in memory).
    func sandboxAccess(_ sandbox: ScalevSandbox, http: HTTPClient) throws -> ScalevAccess {
        let credentials = sandbox.credentials
        let clientConfiguration = ScalevClient.Configuration(baseURL: sandbox.baseURL)
        func client(_ credential: ScalevCredential, vault: (any TokenVault)? = nil) -> ScalevClient {
            ScalevClient(configuration: clientConfiguration, credential: credential, http: http, vault: vault, pacer: pacer)
        }
        let customer = CustomerSession(vaultName: "sandbox-customer", storeID: credentials.storeUniqueID, publishableKey: credentials.storefrontKey)
        let customerVault = SandboxCustomerVault { vault in
            _ = try await CustomerLogin.logIn(
                email: credentials.customerEmail, password: credentials.customerPassword, session: customer, configuration: clientConfiguration,
                http: http, vault: vault)
        }
        let grants = [
            ScalevAccess.Grant(name: "sandbox", client: client(.apiKey(credentials.businessKey))),
            ScalevAccess.Grant(name: "sandbox-restricted", client: client(.apiKey(credentials.restrictedKey))),
            ScalevAccess.Grant(name: "sandbox-storefront", client: client(.storefront(publishableKey: credentials.storefrontKey, storeID: credentials.storeUniqueID))),
            ScalevAccess.Grant(name: "sandbox-customer", client: client(.customer(customer), vault: customerVault)),
        ]
        let chosen = requestedCredential ?? "sandbox"
        guard grants.contains(where: { $0.name == chosen }) else {
            throw ValidationFailure("with --sandbox the credentials are sandbox, sandbox-restricted, sandbox-storefront and sandbox-customer; not '\(chosen)'")
        }
        return finish(ScalevAccess(grants: grants, defaultCredential: chosen, dryRun: dryRun))
    }

    /// The configured credentials granted to the script, each resolved to a client.
    func configuredAccess(http: HTTPClient, store: OnDemandStore) async throws -> ScalevAccess {
        let resolver = CredentialResolver(configuration: configuration)
        let plan = try resolver.plan(script: script, requested: requestedCredential)
        var vault: CredentialVault?
        if plan.granted.contains(where: resolver.needsVault) {
            vault = CredentialVault(store: try await store.store(), key: try VaultKey.load(keyFile: configuration.vaultKeyFile))
        }
        var grants: [ScalevAccess.Grant] = []
        for name in plan.granted {
            let resolved = try await resolver.resolve(name, vault: vault)
            let clientConfiguration = ScalevClient.Configuration(baseURL: resolved.baseURL, v2BaseURL: configuration.v2BaseURL)
            let client = ScalevClient(configuration: clientConfiguration, credential: resolved.credential, http: http, vault: vault, pacer: pacer)
            if resolved.budget != nil || resolved.reserve != nil {
                let spec: BudgetSpec
                do {
                    spec = try BudgetSpec(parsing: (resolved.budget ?? [BudgetSpec.scalevBusiness.description]).joined(separator: ","),
                                          reserve: resolved.reserve ?? 0)
                } catch {
                    throw ConfigurationError(file: configuration.file ?? LunasConfiguration.defaultFile, message: "credentials.\(name).budget: \(error)")
                }
                if let smallest = spec.windows.map(\.limit).min(), spec.reserve >= smallest {
                    throw ConfigurationError(file: configuration.file ?? LunasConfiguration.defaultFile,
                                             message: "credentials.\(name).reserve: \(spec.reserve) leaves nothing of the \(smallest)-request window; keep it below \(smallest)")
                }
                pacer?.setSpec(spec, for: client.budgetKey(for: "/v3"))
            }
            grants.append(ScalevAccess.Grant(name: name, client: client))
        }
        return finish(ScalevAccess(grants: grants, defaultCredential: plan.defaultCredential, dryRun: dryRun))
    }

    private func finish(_ access: ScalevAccess) -> ScalevAccess {
        var access = access
        let standardError = FileHandle.standardError
        if verbose {
            access.trace = { line in standardError.write(Data("\(line)\n".utf8)) }
        }
        if dryRun {
            access.recordWrite = { line in standardError.write(Data("\(line)\n".utf8)) }
        }
        access.progress = ProgressLine.standardErrorIfTerminal()
        if let pacer {
            for grant in access.grants.values {
                for path in ["/v3", "/v2"] { pacer.setName(grant.name, for: grant.client.budgetKey(for: path)) }
            }
            access.budget = { grant, script in await pacer.luaSnapshot(grant.client.budgetKey(for: "/v3"), script: script) }
        }
        return access
    }
}

/// A setup mistake reported as `lunas: message` with exit code 2.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
