import Foundation
import LuaKit
import LunasClock
import RateBudget
import ScalevModel
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
    private let names = Mutex<[String: String]>([:])
    private let weights: Mutex<[String: Int]>
    private let onWaiting: (@Sendable (BudgetWaitNotice) -> Void)?
    private let waitedSinceNotice = Mutex<[String: Duration]>([:])

    /// How much waiting, added up per credential and script, makes a ``BudgetWaitNotice``.
    public static let noticeEvery = Duration.seconds(2)

    /// A pacer; `business` replaces Scalev's documented business windows (from configuration or
    /// `LUNAS_BUDGET`), `weights` are scripts' shares; `onWaiting` hears each time a script's
    /// waits on a credential add up to ``noticeEvery`` since the last notice (a single long wait
    /// or many short ones).
    public init(budgets: RateBudgets, business: BudgetSpec? = nil, storefront: BudgetSpec? = nil, weights: [String: Int] = [:],
                onWaiting: (@Sendable (BudgetWaitNotice) -> Void)? = nil) {
        self.budgets = budgets
        defaults = [.business: business ?? .scalevBusiness, .storefront: storefront ?? .storefrontDefault, .v2: .scalevV2]
        self.weights = Mutex(weights)
        self.onWaiting = onWaiting
    }

    /// A pacer over a shared ledger (the store's: an `OnDemandStore` opens on the first request),
    /// on `clock` (the store's).
    public convenience init(ledger: any RateLedger, clock: any WallClock = SystemClock(), environment: [String: String],
                            weights: [String: Int] = [:], onWaiting: (@Sendable (BudgetWaitNotice) -> Void)? = nil) throws {
        let business = try environment[Self.environmentVariable].map { try BudgetSpec(parsing: $0) }
        self.init(budgets: RateBudgets(ledger: ledger, clock: clock), business: business, weights: weights, onWaiting: onWaiting)
    }

    /// Gives one credential's budget its own windows (a credential's `budget` in lunas.toml).
    public func setSpec(_ spec: BudgetSpec, for key: BudgetKey) {
        specs.withLock { $0[key.identity] = spec }
    }

    /// Gives a script its share of every credential's budget (its `weight`; 1 by default).
    public func setWeight(_ weight: Int, for script: String) {
        weights.withLock { $0[script] = weight }
    }

    /// The name a credential's budget goes by in notices and errors (its name in lunas.toml);
    /// without one, its key id.
    public func setName(_ name: String, for key: BudgetKey) {
        names.withLock { $0[key.identity] = name }
    }

    func name(of key: BudgetKey) -> String {
        names.withLock { $0[key.identity] } ?? key.identity
    }

    func spec(for key: BudgetKey) -> BudgetSpec {
        specs.withLock { $0[key.identity] } ?? defaults[key.family] ?? .scalevBusiness
    }

    public func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket {
        let spec = spec(for: key)
        let name = name(of: key)
        // a single wait of 2 s or more is announced as it begins, and not counted again after
        let announced = WaitAnnouncement()
        let observer = BudgetWaitObserver.current
        var upfront: (@Sendable (Duration) -> Void)?
        if onWaiting != nil || observer != nil {
            let notify = onWaiting
            let threshold = Self.noticeEvery
            let shortest: [RateWindow] = spec.windows.min { $0.length < $1.length }.map { [$0] } ?? []
            upfront = { wait in
                guard wait >= threshold else { return }
                announced.mark()
                observer?.began()
                notify?(BudgetWaitNotice(credential: name, script: script, waited: wait, fullWindows: shortest))
            }
        }
        let grant: BudgetGrant
        do {
            defer { if announced.isMarked { observer?.ended() } }
            grant = try await budgets.acquire(
                credential: key.identity, spec: spec, script: script, weight: weights.withLock { $0[script] } ?? 1, deadline: deadline, onLongWait: upfront)
        } catch let error as BudgetError {
            throw error.naming(name)
        }
        if let onWaiting, grant.waited > .zero, !announced.isMarked {
            let waited: Duration? = waitedSinceNotice.withLock { all in
                let total = (all[key.identity + "\u{0}" + script] ?? .zero) + grant.waited
                all[key.identity + "\u{0}" + script] = total >= Self.noticeEvery ? .zero : total
                return total >= Self.noticeEvery ? total : nil
            }
            if let waited {
                let snapshot = await budgets.snapshot(credential: key.identity, script: script)
                let full = snapshot.windows.filter { $0.remaining == 0 }.map(\.window)
                onWaiting(BudgetWaitNotice(credential: name, script: script, waited: waited, fullWindows: full.isEmpty ? spec.windows : full))
            }
        }
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
                "seconds": .number(state.window.seconds),
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

/// Whether a wait was announced as it began.
private final class WaitAnnouncement: Sendable {
    private let marked = Mutex(false)
    func mark() { marked.withLock { $0 = true } }
    var isMarked: Bool { marked.withLock { $0 } }
}

/// A script's waits on a credential's rate budget: one long wait as it begins, or short ones
/// added up since the last notice.
public struct BudgetWaitNotice: Sendable, CustomStringConvertible {
    /// The credential's name (as configured).
    public var credential: String
    /// The script that waited.
    public var script: String
    /// How long it waited since the last notice.
    public var waited: Duration
    /// The windows that held it back (full when it asked).
    public var fullWindows: [RateWindow]

    /// `waiting 7.9 s for credential 'sandbox' (100/10s full)`.
    public var description: String {
        let seconds = String(format: "%.1f", Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18)
        return "waiting \(seconds) s for credential '\(credential)' (\(fullWindows.map(\.description).joined(separator: ", ")) full)"
    }
}

extension BudgetError {
    /// The error with the credential named by `name` instead of its key id.
    func naming(_ name: String) -> BudgetError {
        switch self {
        case .deadlineExceeded(_, let wait): .deadlineExceeded(credential: "'\(name)'", wouldWait: wait)
        case .ledgerUnavailable(_, let message): .ledgerUnavailable(credential: "'\(name)'", message: message)
        default: self
        }
    }
}
