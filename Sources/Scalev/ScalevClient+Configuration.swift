extension ScalevClient {
    /// Where the client connects and how patient it is.
    public struct Configuration: Sendable {
        /// The API origin, e.g. `https://api.scalev.com` (no `/v3`). v2 paths go to the same origin
        /// unless ``v2BaseURL`` is set.
        public var baseURL: String
        /// The origin of legacy `/v2` routes (`https://api.scalev.id`); `nil` = ``baseURL``.
        public var v2BaseURL: String?
        /// The longest one attempt may take (shortened to the run's deadline).
        public var requestTimeout: Duration
        /// Attempts per request, the first included.
        public var maxAttempts: Int
        /// The first backoff ceiling; each retry doubles it (full jitter: a random wait up to it).
        public var backoffBase: Duration
        /// The largest backoff ceiling.
        public var backoffCap: Duration
        /// The longest wait for an `X-Ratelimit-Reset` before a 429 is given up on.
        public var maxRateLimitWait: Duration
        /// Tokens are refreshed when they expire within this margin.
        public var refreshMargin: Duration
        /// The largest response body accepted.
        public var maxResponseBytes: Int
        /// Recent orders searched (pages of 25) for a create whose answer was lost.
        public var orderLookupPages: Int

        /// A configuration with production-minded defaults: 30 s per attempt, 4 attempts, backoff
        /// from 250 ms up to 8 s.
        public init(
            baseURL: String, v2BaseURL: String? = nil, requestTimeout: Duration = .seconds(30), maxAttempts: Int = 4,
            backoffBase: Duration = .milliseconds(250), backoffCap: Duration = .seconds(8), maxRateLimitWait: Duration = .seconds(120),
            refreshMargin: Duration = .seconds(60), maxResponseBytes: Int = 64 << 20, orderLookupPages: Int = 2
        ) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.v2BaseURL = v2BaseURL
            self.requestTimeout = requestTimeout
            self.maxAttempts = max(1, maxAttempts)
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.maxRateLimitWait = maxRateLimitWait
            self.refreshMargin = refreshMargin
            self.maxResponseBytes = maxResponseBytes
            self.orderLookupPages = max(1, orderLookupPages)
        }

        /// The origin serving `path`.
        func origin(for path: String) -> String {
            if path.hasPrefix("/v2"), var v2 = v2BaseURL {
                while v2.hasSuffix("/") { v2.removeLast() }
                if v2.hasSuffix("/v2") { v2.removeLast(3) }
                return v2
            }
            return baseURL
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
