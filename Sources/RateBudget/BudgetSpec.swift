import LunasStore

/// The windows of one credential's budget: for each, at most `limit` requests in any interval of
/// its `length`. Written as `N/T` items separated by commas — `"20/2s,200/20s"`,
/// `"100/10s, 10000/1h"` — the same syntax as the sandbox's `--rate-limit`, `lunas.toml`'s
/// `budget` and `LUNAS_BUDGET`. Units: `ms`, `s`, `m`, `h`; a bare number is seconds.
public struct BudgetSpec: Sendable, Equatable, CustomStringConvertible {
    /// Every window; all of them hold at once.
    public var windows: [RateWindow]

    /// A spec of `windows` (at least one).
    public init(windows: [RateWindow]) {
        self.windows = windows
    }

    /// Parses `"20/2s,200/20s"`. Throws ``BudgetError/invalidSpec(_:item:reason:)`` naming the
    /// item that is wrong.
    public init(parsing text: String) throws {
        var windows: [RateWindow] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.filter { !$0.isWhitespace }
            func fail(_ reason: String) -> BudgetError { .invalidSpec(text, item: String(raw), reason: reason) }
            if item.isEmpty { throw fail("an item is empty; write N/T items separated by commas, e.g. 20/2s,200/20s") }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw fail("expected N/T, e.g. 100/10s") }
            guard let limit = Int(parts[0]), limit > 0 else { throw fail("the count \"\(parts[0])\" is not a positive whole number") }
            guard let length = Self.duration(String(parts[1])) else {
                throw fail("the length \"\(parts[1])\" is not a duration such as 500ms, 10s, 1m or 1h")
            }
            guard length > .zero, length <= .seconds(24 * 3600) else { throw fail("the length must be more than 0 and at most 24h") }
            windows.append(RateWindow(length: length, limit: limit))
        }
        self.windows = windows
    }

    /// The spec in `N/T` syntax.
    public var description: String {
        windows.map { window in
            let ms = window.length.wholeMillisecondsValue
            let length = ms % 3_600_000 == 0 ? "\(ms / 3_600_000)h" : ms % 60_000 == 0 ? "\(ms / 60_000)m"
                : ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
            return "\(window.limit)/\(length)"
        }.joined(separator: ",")
    }

    private static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = Double(text.dropLast(unit.suffix.count)), value.isFinite else { return nil }
            return .milliseconds(Int64((value * unit.milliseconds).rounded()))
        }
        guard let seconds = Double(text), seconds.isFinite else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

extension BudgetSpec {
    /// Scalev's documented limits for a business credential: 100 per 10 s and 10,000 per hour.
    public static let scalevBusiness = BudgetSpec(windows: [
        RateWindow(length: .seconds(10), limit: 100), RateWindow(length: .seconds(3600), limit: 10_000),
    ])
    /// Scalev's documented limit for legacy v2 routes: 30 per 5 s (per client address).
    public static let scalevV2 = BudgetSpec(windows: [RateWindow(length: .seconds(5), limit: 30)])
    /// A conservative number for storefront traffic, whose limit Scalev does not publish:
    /// 60 per minute (per client address).
    public static let storefrontDefault = BudgetSpec(windows: [RateWindow(length: .seconds(60), limit: 60)])
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var wholeMillisecondsValue: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Seconds as a floating-point number.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
