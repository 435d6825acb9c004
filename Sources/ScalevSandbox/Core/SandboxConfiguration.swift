import Foundation
import ScalevModel

/// How a sandbox is started: where it listens, the seeds of its data and keys, its limits and its files.
public struct SandboxConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; `0` picks a free port (read it back from ``ScalevSandbox/baseURL``).
    public var port: Int
    /// Seed of the generated data; the same seed gives the same data (ids, names, orders).
    public var seed: UInt64
    /// Seed of the keys, passwords and tokens, for tests that need known keys. `nil` (the
    /// default): drawn from the system's secure random source at every start, so that no client
    /// can work them out from the data or its seed.
    public var keySeed: UInt64?
    /// Number of seeded business orders, spread over the six months before ``anchor`` (one more
    /// order, the seeded customer's course, is added to them).
    public var seededOrderCount: Int
    /// Where the seeded history ends: every seeded date (orders, customers, products) is before
    /// it. `nil`: 00:00 UTC of the day the sandbox starts, by its clock, so that "the last 30
    /// days" finds orders. Order ids derive from creation dates: tests that pin ids pin this.
    public var anchor: Date?
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

    /// The instant the seeded history ends for a sandbox whose clock reads `now` (epoch seconds).
    func seedAnchor(now: Double) -> Double {
        anchor?.timeIntervalSince1970 ?? (now / 86_400).rounded(.down) * 86_400
    }

    /// `YYYY-MM-DD` as an ``anchor``: 00:00 UTC of that day; `nil` for anything else.
    public static func anchor(parsing day: String) -> Date? {
        guard day.utf8.count == 10, let epoch = Timestamp.parse(day), Timestamp.day(epoch) == day else { return nil }
        return Date(timeIntervalSince1970: epoch)
    }

    /// `20/2s,200/20s` as ``businessRateLimits`` (units ms, s, m, h); `nil` for anything else.
    public static func rateLimits(parsing text: String) -> [RateWindow]? {
        try? RateWindow.list(parsing: text)
    }

    /// The documented Scalev business limits: 100 per 10 s and 10,000 per hour.
    public static let scalevBusinessLimits = RateWindow.scalevBusiness
    /// The sandbox's choice for browser traffic (Scalev publishes no number): 60 per minute per client.
    public static let defaultStorefrontLimits = RateWindow.storefrontDefault
    /// The documented v2 limit: 30 per 5 s per client address.
    public static let scalevV2Limits = RateWindow.scalevV2

    /// A configuration with Scalev's documented limits and a fresh in-memory store.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        seed: UInt64 = 1,
        keySeed: UInt64? = nil,
        seededOrderCount: Int = 360,
        anchor: Date? = nil,
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
        self.keySeed = keySeed
        self.seededOrderCount = seededOrderCount
        self.anchor = anchor
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
