import Foundation
import LuaKit
import LunasStore
import RateBudget
import Scalev
import Synchronization

/// Puts every Scalev request under its credential's rate budget: the client's ``RequestPacer``
/// over ``RateBudgets``, with each credential's windows and each script's weight.
public final class BudgetPacer: RequestPacer {
    /// The environment variable that overrides every business credential's windows
    /// (`LUNAS_BUDGET="20/2s,200/20s"`).
    public static let environmentVariable = "LUNAS_BUDGET"

    /// The budgets (one per process).
    public let budgets: RateBudgets
    private let defaults: [BudgetKey.Family: BudgetSpec]
    private let specs = Mutex<[String: BudgetSpec]>([:])
    private let weights: [String: Int]
    private let onLongWait: (@Sendable (String, Duration) -> Void)?

    /// A pacer; `business` replaces Scalev's documented business windows (from configuration or
    /// `LUNAS_BUDGET`), `weights` are scripts' shares, `onLongWait` hears of waits over a second.
    public init(budgets: RateBudgets, business: BudgetSpec? = nil, storefront: BudgetSpec? = nil, weights: [String: Int] = [:],
                onLongWait: (@Sendable (String, Duration) -> Void)? = nil) {
        self.budgets = budgets
        defaults = [.business: business ?? .scalevBusiness, .storefront: storefront ?? .storefrontDefault, .v2: .scalevV2]
        self.weights = weights
        self.onLongWait = onLongWait
    }

    /// A pacer over the store's shared ledger, opened on the first request.
    public convenience init(store: LazyStore, environment: [String: String] = ProcessInfo.processInfo.environment,
                            weights: [String: Int] = [:], onLongWait: (@Sendable (String, Duration) -> Void)? = nil) throws {
        let business = try environment[Self.environmentVariable].map { try BudgetSpec(parsing: $0) }
        self.init(budgets: RateBudgets(ledger: LazyLedger(store: store)), business: business, weights: weights, onLongWait: onLongWait)
    }

    /// Gives one credential's budget its own windows (a credential's `budget` in lunas.toml).
    public func setSpec(_ spec: BudgetSpec, for key: BudgetKey) {
        specs.withLock { $0[key.identity] = spec }
    }

    func spec(for key: BudgetKey) -> BudgetSpec {
        specs.withLock { $0[key.identity] } ?? defaults[key.family] ?? .scalevBusiness
    }

    public func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket {
        var notice: (@Sendable (Duration) -> Void)?
        if let notify = onLongWait {
            notice = { wait in notify(script, wait) }
        }
        let grant = try await budgets.acquire(
            credential: key.identity, spec: spec(for: key), script: script, weight: weights[script] ?? 1, deadline: deadline,
            onLongWait: notice)
        return PacerTicket(id: grant.id)
    }

    public func observe(_ key: BudgetKey, script: String, ticket: PacerTicket, status: Int?, headers: [(String, String)]) async {
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        let reset = header("x-ratelimit-reset").flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        await budgets.observe(
            credential: key.identity, script: script, grant: BudgetGrant(id: ticket.id, waited: .zero), status: status,
            remaining: header("x-ratelimit-remaining").flatMap { Int($0) }, limit: header("x-ratelimit-limit").flatMap { Int($0) }, reset: reset)
    }

    /// `scalev.budget()`: the credential's windows as this script sees them.
    public func luaSnapshot(_ key: BudgetKey, script: String) async -> LuaValue {
        let snapshot = await budgets.snapshot(credential: key.identity, script: script)
        let windows = snapshot.windows.map { state -> LuaValue in
            var window = LuaTable(fields: [
                "limit": .integer(Int64(state.window.limit)),
                "seconds": .number(Double(state.window.length.components.seconds) + Double(state.window.length.components.attoseconds) / 1e18),
                "remaining": .integer(Int64(state.remaining)),
            ])
            if let reset = state.reset { window["reset"] = .number(reset.timeIntervalSince1970) }
            return .table(window)
        }
        var table = LuaTable(fields: [
            "windows": .table(LuaTable(array: windows)),
            "weight": .integer(Int64(snapshot.weight)),
            "share": .number(snapshot.share),
            "waiting": .integer(Int64(snapshot.waiting)),
        ])
        if let paused = snapshot.pausedUntil { table["paused_until"] = .number(paused.timeIntervalSince1970) }
        return .table(table)
    }
}

/// The store's ledger, opened on the first reservation.
struct LazyLedger: RateLedger {
    let store: LazyStore

    func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        try await store.store().reserve(request)
    }
}
