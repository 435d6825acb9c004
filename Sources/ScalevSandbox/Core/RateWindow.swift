/// One rate-limit window: at most `limit` requests in any interval of `seconds`.
public struct RateWindow: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Requests allowed in any interval of `seconds`.
    public var limit: Int
    /// The window's length in seconds.
    public var seconds: Double

    /// A window of `limit` requests per `seconds`.
    public init(limit: Int, seconds: Double) {
        self.limit = limit
        self.seconds = seconds
    }

    /// The window in the `--rate-limit` syntax, e.g. `100/10s`.
    public var description: String { "\(limit)/\(Self.formatSeconds(seconds))" }

    /// Parses a list such as `20/2s,200/20s` (units `ms`, `s`, `m`, `h`; a bare number is seconds).
    /// Returns `nil` when any part is malformed.
    public static func parseList(_ spec: String) -> [RateWindow]? {
        let parts = spec.split(separator: ",").map { $0.filter { $0 != " " } }
        guard !parts.isEmpty else { return nil }
        var windows: [RateWindow] = []
        for part in parts {
            let pieces = part.split(separator: "/")
            guard pieces.count == 2, let limit = Int(pieces[0]), limit > 0, let seconds = parseDuration(String(pieces[1])),
                seconds > 0
            else { return nil }
            windows.append(RateWindow(limit: limit, seconds: seconds))
        }
        return windows
    }

    static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return "\(Int(seconds * 1000))ms"
    }
}

