/// The Scalev credentials a run is granted.
public enum RunCredentials: Sendable {
    /// None: the script has no `scalev` (a read of it says what it lacks).
    case none
    /// The credentials `lunas.toml` (or `SCALEV_API_KEY`) grants the script, using `default`
    /// (`--credential`) or else the script's, the configuration's or the environment's default.
    case configured(default: String? = nil)
    /// Every credential of a local sandbox, using `default` (`sandbox` when `nil`).
    case sandbox(SandboxAccount, default: String? = nil)
}

/// A local Scalev sandbox's origin and credentials, as a run against it is granted them:
/// `sandbox` (secret key), `sandbox-restricted` (read-only key), `sandbox-storefront`, and
/// `sandbox-customer` (the seeded customer, signed in when first used, its tokens in memory).
public struct SandboxAccount: Sendable {
    /// The sandbox's origin, `http://127.0.0.1:PORT`.
    public var baseURL: String
    /// Its secret business key.
    public var businessKey: String
    /// Its restricted (read-only) business key.
    public var restrictedKey: String
    /// Its storefront publishable key.
    public var storefrontKey: String
    /// The store of that key.
    public var storeID: String
    /// The seeded customer's email.
    public var customerEmail: String
    /// The seeded customer's password.
    public var customerPassword: String

    /// An account.
    public init(baseURL: String, businessKey: String, restrictedKey: String, storefrontKey: String, storeID: String,
                customerEmail: String, customerPassword: String) {
        self.baseURL = baseURL
        self.businessKey = businessKey
        self.restrictedKey = restrictedKey
        self.storefrontKey = storefrontKey
        self.storeID = storeID
        self.customerEmail = customerEmail
        self.customerPassword = customerPassword
    }

    /// The credentials' names.
    public static let credentialNames = ["sandbox", "sandbox-restricted", "sandbox-storefront", "sandbox-customer"]
}
