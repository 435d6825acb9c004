/// A rate limit: at most `limit` requests in any interval of `length`.
public struct RateWindow: Sendable, Equatable {
    /// The interval's length (10 s, 1 h).
    public var length: Duration
    /// The most requests in any such interval.
    public var limit: Int

    /// A window.
    public init(length: Duration, limit: Int) {
        self.length = length
        self.limit = limit
    }
}
