/// A rate limit: at most `limit` requests in any interval of `length`. Written `N/T`, as in
/// `100/10s`: a positive whole count, a slash, a length with a unit (`ms`, `s`, `m`, `h`; a bare
/// number is seconds) of more than 0 and at most 24 h, rounded to whole milliseconds.
public struct RateWindow: Sendable, Hashable, CustomStringConvertible {
    /// The interval's length (10 s, 1 h).
    public var length: Duration
    /// The most requests in any such interval.
    public var limit: Int

    /// A window of `limit` requests per `length`.
    public init(length: Duration, limit: Int) {
        self.length = length
        self.limit = limit
    }

    /// The length in seconds.
    public var seconds: Double {
        let (seconds, attoseconds) = length.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The window in `N/T` syntax, in the largest unit that keeps the length whole: `100/10s`,
    /// `60/1m`, `10000/1h`, `5/500ms`.
    public var description: String {
        let (seconds, attoseconds) = length.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let text = ms % 3_600_000 == 0 ? "\(ms / 3_600_000)h" : ms % 60_000 == 0 ? "\(ms / 60_000)m"
            : ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
        return "\(limit)/\(text)"
    }

    /// Parses one `N/T` item such as `100/10s` (spaces are ignored).
    /// Throws ``RateWindowSyntaxError`` saying what is wrong with it.
    public init(parsing item: String) throws(RateWindowSyntaxError) {
        let text = item.filter { !$0.isWhitespace }
        func fail(_ reason: String) -> RateWindowSyntaxError { RateWindowSyntaxError(item: item, reason: reason) }
        if text.isEmpty { throw fail("an item is empty; write N/T items separated by commas, e.g. 20/2s,200/20s") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("expected N/T, e.g. 100/10s") }
        guard let limit = Int(parts[0]), limit > 0 else { throw fail("the count \"\(parts[0])\" is not a positive whole number") }
        guard let milliseconds = Self.milliseconds(String(parts[1])) else {
            throw fail("the length \"\(parts[1])\" is not a duration such as 500ms, 10s, 1m or 1h")
        }
        // Checked as a Double: a length such as 1e30s must not trap on its way to Int64.
        guard milliseconds > 0, milliseconds <= 24 * 3_600_000 else { throw fail("the length must be more than 0 and at most 24h") }
        self.init(length: .milliseconds(Int64(milliseconds)), limit: limit)
    }

    /// Parses a list of `N/T` items separated by commas, such as `20/2s,200/20s` or
    /// `100/10s, 10000/1h`; every item must be well formed.
    public static func list(parsing text: String) throws(RateWindowSyntaxError) -> [RateWindow] {
        var windows: [RateWindow] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            windows.append(try RateWindow(parsing: String(item)))
        }
        return windows
    }

    /// A length such as `500ms`, `10s`, `1.5` in whole milliseconds, or `nil` when it is not one.
    private static func milliseconds(_ text: String) -> Double? {
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        let unit = units.first { text.hasSuffix($0.suffix) }
        guard let value = Double(text.dropLast(unit?.suffix.count ?? 0)), value.isFinite else { return nil }
        return (value * (unit?.milliseconds ?? 1000)).rounded()
    }
}

extension RateWindow {
    /// Scalev's documented limits for a business credential (API key or OAuth installation):
    /// 100 per 10 s and 10,000 per hour.
    public static let scalevBusiness = [RateWindow(length: .seconds(10), limit: 100), RateWindow(length: .seconds(3600), limit: 10_000)]
    /// Scalev's documented limit for legacy v2 routes: 30 per 5 s per client address.
    public static let scalevV2 = [RateWindow(length: .seconds(5), limit: 30)]
    /// A conservative number for storefront traffic, whose limit Scalev does not publish: 60 per
    /// minute per client address.
    public static let storefrontDefault = [RateWindow(length: .seconds(60), limit: 60)]
}
