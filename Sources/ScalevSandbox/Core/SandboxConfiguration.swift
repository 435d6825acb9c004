/// How a sandbox is started: where it listens, the seed of its data, its limits and its files.
public struct SandboxConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; `0` picks a free port (read it back from ``ScalevSandbox/baseURL``).
    public var port: Int
    /// Seed of the generated data and credentials; the same seed gives the same sandbox.
    public var seed: UInt64
    /// Number of seeded business orders, spread over the months before the seed date.
    public var seededOrderCount: Int
    /// A JSON snapshot file: loaded at start if it exists, written on change and at shutdown.
    public var dataFile: String?
    /// Whether any rate limit is enforced (headers are still sent when off, showing no limit).
    public var rateLimitingEnabled: Bool
    /// Windows for each business credential (API key or OAuth installation).
    public var businessRateLimits: [RateWindow]
    /// Windows per client address for browser traffic (storefront, guest, customer routes).
    public var storefrontRateLimits: [RateWindow]
    /// Windows per client address for legacy `/v2` routes.
    public var v2RateLimits: [RateWindow]
    /// A request header naming the client address, trusted only when set (tests use it to play
    /// several browsers from one loopback address). `nil` = use the socket's peer address.
    public var trustedClientAddressHeader: String?
    /// Delivery attempts after the first failure for each webhook.
    public var webhookRetries: Int
    /// Delay before the first retry in seconds; it doubles on each further retry.
    public var webhookRetryDelay: Double
    /// Webhook endpoints registered at start (signed with the sandbox's webhook secret).
    public var webhookURLs: [String]
    /// Whether the sandbox logs each request.
    public var logRequests: Bool
    /// Whether simulated time moves only when advanced through the admin API (for tests).
    public var frozenClock: Bool = false

    /// The documented Scalev business limits: 100 per 10 s and 10,000 per hour.
    public static let scalevBusinessLimits = [RateWindow(limit: 100, seconds: 10), RateWindow(limit: 10_000, seconds: 3600)]
    /// The sandbox's choice for browser traffic (Scalev publishes no number): 60 per minute per client.
    public static let defaultStorefrontLimits = [RateWindow(limit: 60, seconds: 60)]
    /// The documented v2 limit: 30 per 5 s per client address.
    public static let scalevV2Limits = [RateWindow(limit: 30, seconds: 5)]

    /// A configuration with Scalev's documented limits and a fresh in-memory store.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        seed: UInt64 = 1,
        seededOrderCount: Int = 360,
        dataFile: String? = nil,
        rateLimitingEnabled: Bool = true,
        businessRateLimits: [RateWindow] = SandboxConfiguration.scalevBusinessLimits,
        storefrontRateLimits: [RateWindow] = SandboxConfiguration.defaultStorefrontLimits,
        v2RateLimits: [RateWindow] = SandboxConfiguration.scalevV2Limits,
        trustedClientAddressHeader: String? = nil,
        webhookRetries: Int = 3,
        webhookRetryDelay: Double = 0.2,
        webhookURLs: [String] = [],
        logRequests: Bool = false
    ) {
        self.host = host
        self.port = port
        self.seed = seed
        self.seededOrderCount = seededOrderCount
        self.dataFile = dataFile
        self.rateLimitingEnabled = rateLimitingEnabled
        self.businessRateLimits = businessRateLimits
        self.storefrontRateLimits = storefrontRateLimits
        self.v2RateLimits = v2RateLimits
        self.trustedClientAddressHeader = trustedClientAddressHeader
        self.webhookRetries = webhookRetries
        self.webhookRetryDelay = webhookRetryDelay
        self.webhookURLs = webhookURLs
        self.logRequests = logRequests
    }
}
