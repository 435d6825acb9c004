import LuaKit
import LunasRuntime

/// Why a cart was not priced: what the pricing route answers instead, as JSON (``body``).
public enum PricingProblem: Error, Sendable {
    /// The posted cart is not one that can be priced (bad JSON, no items, a negative price).
    case invalidCart(String)
    /// The rule did not compile or raised an error: the message starts with `file:line`.
    case ruleFailed(LuaError)
    /// A limit ended the rule (deadline, memory, instructions).
    case ruleLimit(LuaLimit, LuaError)
    /// The rule ran but its result is not a valid list of discounts.
    case invalidResult(String)
    /// The run could not start (the request to the runtime was refused).
    case ruleRejected(String)
    /// The run was cancelled (the client went away, or the server is stopping).
    case cancelled

    /// The problem of a run that did not end `.ok`; `nil` for one that did.
    public init?(_ outcome: RunOutcome) {
        switch outcome {
        case .ok: return nil
        case .failed(let error): self = .ruleFailed(error)
        case .limit(let limit, let error): self = .ruleLimit(limit, error)
        case .rejected(let reason): self = .ruleRejected(reason)
        case .cancelled: self = .cancelled
        }
    }

    /// The JSON body the route answers.
    public var body: PricingErrorBody {
        switch self {
        case .invalidCart(let message):
            PricingErrorBody(error: "invalid_cart", message: message)
        case .ruleFailed(let error):
            PricingErrorBody(error: "rule_failed", message: error.message, location: Self.position(in: error.message))
        case .ruleLimit(let limit, let error):
            PricingErrorBody(error: "rule_limit", message: error.location.map { "\($0): \(limit.message)" } ?? limit.message,
                             location: error.location, limit: limit.name)
        case .invalidResult(let message):
            PricingErrorBody(error: "invalid_result", message: message)
        case .ruleRejected(let reason):
            PricingErrorBody(error: "rule_rejected", message: reason)
        case .cancelled:
            PricingErrorBody(error: "cancelled", message: "the pricing run was cancelled")
        }
    }

    /// `pricing.lua:7` from `pricing.lua:7: attempt to ...`.
    static func position(in message: String) -> String? {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else { return nil }
        return "\(parts[0]):\(parts[1])"
    }
}

/// The JSON the pricing route answers when it priced nothing:
/// `{"error":"rule_limit","limit":"deadline","location":"pricing.lua:4","message":"pricing.lua:4: deadline of 50 ms exceeded"}`.
public struct PricingErrorBody: Codable, Sendable, Equatable {
    /// What went wrong, for programs: `invalid_cart`, `rule_failed`, `rule_limit`, `invalid_result`,
    /// `rule_rejected`, `cancelled`.
    public var error: String
    /// What went wrong, for people; a rule's errors start with `file:line`.
    public var message: String
    /// The rule's `file:line` the error points at, when known.
    public var location: String?
    /// The limit that ended the rule: `deadline`, `memory`, `instructions`, `api_calls`.
    public var limit: String?

    /// A body.
    public init(error: String, message: String, location: String? = nil, limit: String? = nil) {
        self.error = error
        self.message = message
        self.location = location
        self.limit = limit
    }
}

extension LuaLimit {
    /// The limit's name in ``PricingErrorBody/limit``.
    var name: String {
        switch self {
        case .memory: "memory"
        case .deadline: "deadline"
        case .instructions: "instructions"
        case .apiCalls: "api_calls"
        case .cancelled: "cancelled"
        }
    }
}
