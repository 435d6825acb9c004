import ScalevModel

/// The windows of one credential's budget: for each, at most `limit` requests in any interval of
/// its `length`. Written as ``RateWindow``'s `N/T` items separated by commas — `"20/2s,200/20s"`,
/// `"100/10s, 10000/1h"` — the same syntax as the sandbox's `--rate-limit`, `lunas.toml`'s
/// `budget` and `LUNAS_BUDGET`.
public struct BudgetSpec: Sendable, Equatable, CustomStringConvertible {
    /// Every window; all of them hold at once.
    public var windows: [RateWindow]
    /// Slots of each window that no single script may take: kept for the others, so that a call
    /// arriving just after one script's burst need not wait for the window to pass. The price is
    /// that a script alone on the credential gets `limit - reserve` per window. Default 0.
    public var reserve: Int

    /// A spec of `windows` (at least one) keeping `reserve` slots of each for other scripts.
    public init(windows: [RateWindow], reserve: Int = 0) {
        self.windows = windows
        self.reserve = max(0, reserve)
    }

    /// Parses `"20/2s,200/20s"`. Throws ``BudgetError/invalidSpec(_:item:reason:)`` naming the
    /// item that is wrong.
    public init(parsing text: String, reserve: Int = 0) throws {
        self.reserve = max(0, reserve)
        do {
            windows = try RateWindow.list(parsing: text)
        } catch {
            throw BudgetError.invalidSpec(text, item: error.item, reason: error.reason)
        }
    }

    /// The spec in `N/T` syntax (and the reserve, if any).
    public var description: String {
        windows.map(\.description).joined(separator: ",") + (reserve > 0 ? " (reserve \(reserve))" : "")
    }
}

extension BudgetSpec {
    /// Scalev's documented limits for a business credential: 100 per 10 s and 10,000 per hour.
    public static let scalevBusiness = BudgetSpec(windows: RateWindow.scalevBusiness)
    /// Scalev's documented limit for legacy v2 routes: 30 per 5 s (per client address).
    public static let scalevV2 = BudgetSpec(windows: RateWindow.scalevV2)
    /// A conservative number for storefront traffic, whose limit Scalev does not publish:
    /// 60 per minute (per client address).
    public static let storefrontDefault = BudgetSpec(windows: RateWindow.storefrontDefault)
}
