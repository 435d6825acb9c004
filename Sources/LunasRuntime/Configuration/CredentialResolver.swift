import Foundation
import LunasStore
import Scalev

/// Turns the configuration's credentials into signed clients: which ones a script gets, its
/// default, and each one's secret — from the environment or the vault, never from the file.
public struct CredentialResolver: Sendable {
    /// The environment variable of the API origin used without a configuration.
    public static let baseURLVariable = "SCALEV_BASE_URL"
    /// The environment variable of the API key used without a configuration.
    public static let apiKeyVariable = "SCALEV_API_KEY"
    /// The name of the credential made of those two variables.
    public static let environmentCredential = "env"
    /// Scalev's origin.
    public static let defaultBaseURL = "https://api.scalev.com"

    /// The configuration.
    public let configuration: LunasConfiguration
    /// The environment its secrets and origins are read from.
    public let environment: [String: String]

    /// A resolver over a configuration and an environment.
    public init(configuration: LunasConfiguration, environment: [String: String]) {
        self.configuration = configuration
        self.environment = environment
    }

    /// What a script may use: its default credential and every name it is granted.
    /// Precedence of the default: `requested` (`--credential`), the script's entry, the
    /// configuration's `default_credential`, then `SCALEV_API_KEY` from the environment. With no
    /// credential at all, nothing is granted (the script's first `scalev` call says what to set).
    public func plan(script: String, requested: String?) throws -> (defaultCredential: String, granted: [String]) {
        let entry = configuration.scripts[script]
        var granted = entry?.grants ?? configuration.credentials.keys.sorted()
        if entry?.grants == nil, environment[Self.apiKeyVariable] != nil, configuration.credentials[Self.environmentCredential] == nil {
            granted.append(Self.environmentCredential)
        }
        let candidates = [requested, entry?.credential, configuration.defaultCredential].compactMap { $0 }
        if let name = candidates.first {
            guard granted.contains(name) else {
                if configuration.credentials[name] == nil && name != Self.environmentCredential {
                    throw ConfigurationError(file: configuration.file ?? LunasConfiguration.defaultFile,
                                             message: "there is no credential '\(name)'; defined: \(configuration.credentials.keys.sorted().joined(separator: ", "))")
                }
                throw ConfigurationError(file: configuration.file ?? LunasConfiguration.defaultFile,
                                         message: "credential '\(name)' is not granted to script '\(script)'; add it to [scripts.\(script)] grants")
            }
            return (name, granted)
        }
        if granted.contains(Self.environmentCredential) { return (Self.environmentCredential, granted) }
        if granted.count == 1, let only = granted.first { return (only, granted) }
        if granted.isEmpty { return ("", []) }
        throw ConfigurationError(file: configuration.file ?? LunasConfiguration.defaultFile,
                                 message: "several credentials are granted (\(granted.joined(separator: ", "))) and none is the default: pass --credential NAME or set default_credential")
    }

    /// A credential ready for a client: its secret, origin and budget windows.
    public struct Resolved: Sendable {
        /// Its name.
        public var name: String
        /// What the client signs with.
        public var credential: ScalevCredential
        /// The origin of its requests.
        public var baseURL: String
        /// Its budget windows (`N/Ts` items), when configured.
        public var budget: [String]?
        /// Slots of each window no single script may take, when configured.
        public var reserve: Int? = nil
    }

    /// Whether resolving `name` needs the vault (OAuth, customer, or a key kept there).
    public func needsVault(_ name: String) -> Bool {
        guard let entry = configuration.credentials[name] else { return false }
        return entry.kind == .oauth || entry.kind == .customer || (entry.kind == .apiKey && entry.secretEnvironment == nil)
    }

    /// Resolves one credential; `vault` is asked for only when the credential lives there.
    public func resolve(_ name: String, vault: CredentialVault?) async throws -> Resolved {
        let file = configuration.file ?? LunasConfiguration.defaultFile
        let origin = environment[Self.baseURLVariable].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        guard let entry = configuration.credentials[name] else {
            guard name == Self.environmentCredential, let key = environment[Self.apiKeyVariable], !key.isEmpty else {
                throw ConfigurationError(file: file, message: "there is no credential '\(name)'")
            }
            return Resolved(name: name, credential: .apiKey(key), baseURL: origin ?? configuration.baseURL ?? Self.defaultBaseURL, budget: nil)
        }
        let baseURL = entry.baseURL ?? configuration.baseURL ?? origin ?? Self.defaultBaseURL
        func secretFromEnvironment(_ variable: String) throws -> String {
            guard let value = environment[variable], !value.isEmpty else {
                throw ConfigurationError(file: file, message: "credential '\(name)' reads its secret from $\(variable), which is not set")
            }
            return value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func requireVault() throws -> CredentialVault {
            guard let vault else {
                throw ConfigurationError(file: file, message: "credential '\(name)' is kept in the vault: set LUNAS_VAULT_KEY (or vault_key_file)")
            }
            return vault
        }
        let credential: ScalevCredential
        switch entry.kind {
        case .apiKey:
            if let variable = entry.secretEnvironment {
                credential = .apiKey(try secretFromEnvironment(variable))
            } else {
                let vaultName = entry.vaultName ?? name
                guard let data = try await requireVault().secret(vaultName) else {
                    throw ConfigurationError(file: file, message: "credential '\(name)' is not in the vault yet: run `lunas auth key \(name)`")
                }
                credential = .apiKey(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        case .oauth:
            _ = try requireVault()
            credential = .oauth(OAuthInstallation(
                vaultName: entry.vaultName ?? name, clientID: entry.clientID ?? "",
                clientSecret: try entry.secretEnvironment.map(secretFromEnvironment), businessID: entry.businessID))
        case .storefront:
            credential = .storefront(publishableKey: entry.publishableKey ?? "", storeID: entry.storeID ?? "")
        case .customer:
            _ = try requireVault()
            credential = .customer(CustomerSession(vaultName: entry.vaultName ?? name, storeID: entry.storeID ?? "", publishableKey: entry.publishableKey ?? ""))
        }
        return Resolved(name: name, credential: credential, baseURL: baseURL, budget: entry.budget, reserve: entry.reserve)
    }
}
