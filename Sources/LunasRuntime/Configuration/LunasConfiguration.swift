import Foundation
import LuaKit
import LunasStore

/// What `lunas.toml` says: where the API and the store are, the credentials (never their
/// secrets: those come from the environment or the vault), and what each script is granted.
public struct LunasConfiguration: Sendable, Equatable {
    /// The file it was read from, for messages; `nil` when there was none.
    public var file: String?
    /// The Scalev origin (`https://api.scalev.com`, no `/v3`) of credentials that name none.
    public var baseURL: String?
    /// The origin of legacy v2 calls (`https://api.scalev.id`).
    public var v2BaseURL: String?
    /// The store: a SQLite file or a `postgres://` URL.
    public var store: String?
    /// The folder script names (and `kv` namespaces) are relative to.
    public var scriptsFolder: String?
    /// A file holding the vault key, when `LUNAS_VAULT_KEY` is not set.
    public var vaultKeyFile: String?
    /// The credential a script uses when neither the command line nor its entry names one.
    public var defaultCredential: String?
    /// Credentials by name.
    public var credentials: [String: CredentialEntry]
    /// Scripts by name (their path relative to the scripts folder, without `.lua`).
    public var scripts: [String: ScriptEntry]
    /// How much each `kv` namespace may hold (`[kv]` `max_keys`, `max_bytes`).
    public var kvQuota: KVQuota
    /// The IANA time zone schedules are read in (`time_zone`, top level), when given.
    public var timeZone: String?
    /// What `lunas serve` does (`[serve]`).
    public var serve = ServeSettings()
    /// The webhook sources `lunas serve` accepts (`[webhooks.NAME]`), by name.
    public var webhooks: [String: WebhookSource] = [:]
    /// What scripts' `http` may reach (`[http]`).
    public var http = HTTPSettings()

    /// The hosts scripts' `http` may reach (`[http] allow`): ``HTTPSettings/allow``.
    public var httpAllow: [String] {
        get { http.allow }
        set { http.allow = newValue }
    }

    /// An empty configuration: everything from the environment.
    public init(file: String? = nil, baseURL: String? = nil, v2BaseURL: String? = nil, store: String? = nil,
                scriptsFolder: String? = nil, vaultKeyFile: String? = nil, defaultCredential: String? = nil,
                credentials: [String: CredentialEntry] = [:], scripts: [String: ScriptEntry] = [:], kvQuota: KVQuota = KVQuota()) {
        self.file = file
        self.baseURL = baseURL
        self.v2BaseURL = v2BaseURL
        self.store = store
        self.scriptsFolder = scriptsFolder
        self.vaultKeyFile = vaultKeyFile
        self.defaultCredential = defaultCredential
        self.credentials = credentials
        self.scripts = scripts
        self.kvQuota = kvQuota
    }

    /// The options of the store the commands open: the configured `kv` quota.
    public var storeOptions: StoreOptions { StoreOptions(kvQuota: kvQuota) }

    /// The default file name, looked for in the working directory.
    public static let defaultFile = "lunas.toml"

    /// `lunas.toml` from `path`, or from the working directory when `path` is `nil`; an empty
    /// configuration when no path was given and there is no such file.
    public static func load(path: String?) throws -> LunasConfiguration {
        let file = path ?? defaultFile
        guard let data = FileManager.default.contents(atPath: file) else {
            if path == nil { return LunasConfiguration() }
            throw ConfigurationError(file: file, message: "cannot read the configuration file: no such file, or not readable")
        }
        return try LunasConfiguration(toml: String(decoding: data, as: UTF8.self), file: file)
    }
}

/// One credential of `lunas.toml` (`[credentials.NAME]`).
public struct CredentialEntry: Sendable, Equatable {
    /// The credential family.
    public enum Kind: String, Sendable, CaseIterable {
        /// A business API key (`sk_`/`rk_`).
        case apiKey = "api_key"
        /// An OAuth installation; tokens in the vault (`lunas auth oauth`).
        case oauth
        /// A storefront publishable key (`sfpk_`), with a guest token.
        case storefront
        /// A signed-in customer of one store; tokens in the vault (`lunas auth customer`).
        case customer
    }

    /// Its name in the configuration.
    public var name: String
    /// Its family.
    public var kind: Kind
    /// The environment variable holding an API key (`api_key`) or OAuth client secret.
    public var secretEnvironment: String?
    /// The vault entry holding the secret or the tokens (default: the credential's name).
    public var vaultName: String?
    /// The origin of this credential's requests, when not the configuration's.
    public var baseURL: String?
    /// Budget windows, as `N/Ts` items (`["100/10s", "10000/1h"]`).
    public var budget: [String]?
    /// Slots of each budget window no single script may take (``BudgetSpec/reserve``).
    public var reserve: Int?
    /// The store (`store_…`) of a storefront or customer credential.
    public var storeID: String?
    /// The publishable key of a storefront or customer credential (publishable: may be inline).
    public var publishableKey: String?
    /// The OAuth client id.
    public var clientID: String?
    /// The business (`b_uid`) an OAuth installation acts for.
    public var businessID: String?

    /// A credential entry.
    public init(name: String, kind: Kind, secretEnvironment: String? = nil, vaultName: String? = nil, baseURL: String? = nil,
                budget: [String]? = nil, reserve: Int? = nil, storeID: String? = nil, publishableKey: String? = nil,
                clientID: String? = nil, businessID: String? = nil) {
        self.name = name
        self.kind = kind
        self.secretEnvironment = secretEnvironment
        self.vaultName = vaultName
        self.baseURL = baseURL
        self.budget = budget
        self.reserve = reserve
        self.storeID = storeID
        self.publishableKey = publishableKey
        self.clientID = clientID
        self.businessID = businessID
    }
}

/// One script of `lunas.toml` (`[scripts.NAME]`).
public struct ScriptEntry: Sendable, Equatable {
    /// Its name: its path relative to the scripts folder, without `.lua`.
    public var name: String
    /// The credential it uses by default.
    public var credential: String?
    /// The credentials it may use (`scalev.with(name)`); `nil` grants all to one-off runs.
    public var grants: [String]?
    /// Shared `kv` namespaces it may open.
    public var shared: [String]
    /// Its weight in budgets shared with other scripts.
    public var weight: Int
    /// Its deadline, in seconds.
    public var timeout: Double?
    /// Its memory cap, in MiB.
    public var memory: Int?
    /// Its cap on Scalev API calls per run (HTTP attempts, retries included).
    public var maxCalls: Int?
    /// Its own settings (`[scripts.NAME.config]`), which it reads as the global `config`;
    /// `nil` when it has none. Not for secrets: those belong to credentials.
    public var config: LuaTable?

    /// A script entry.
    public init(name: String, credential: String? = nil, grants: [String]? = nil, shared: [String] = [], weight: Int = 1,
                timeout: Double? = nil, memory: Int? = nil, maxCalls: Int? = nil) {
        self.name = name
        self.credential = credential
        self.grants = grants
        self.shared = shared
        self.weight = weight
        self.timeout = timeout
        self.memory = memory
        self.maxCalls = maxCalls
    }
}

/// A mistake in the configuration, with the file and key it is at.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public var file: String
    /// What is wrong and what to do.
    public var message: String

    /// An error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
