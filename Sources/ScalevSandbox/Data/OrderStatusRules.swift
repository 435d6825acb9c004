/// The sandbox's order transition rules (Scalev publishes none; see docs/sandbox.md).
///
/// Status moves forward along draft → pending → confirmed → in_process → ready → shipped → completed
/// (skipping is allowed); `canceled` from any state before `shipped`; `rts` from `shipped`; `closed`
/// from `completed`, `canceled` or `rts`; `closed` is final. Payment: unpaid → paid | conflict;
/// conflict → paid | unpaid; paid → settled | conflict; settled is final; no payment change on a
/// canceled or closed order.
enum OrderStatusRules {
    static let path = ["draft", "pending", "confirmed", "in_process", "ready", "shipped", "completed"]

    static func rank(_ status: String) -> Int? { path.firstIndex(of: status) }

    /// `nil` when allowed, else why not.
    static func statusChange(from: String, to: String) -> String? {
        if from == to { return "order is already \(to)" }
        if let source = rank(from), let target = rank(to) {
            return target > source ? nil : "cannot move an order back from \(from) to \(to)"
        }
        switch to {
        case "canceled": return (rank(from) ?? 99) < (rank("shipped") ?? 0) ? nil : "cannot cancel an order that is \(from)"
        case "rts": return from == "shipped" ? nil : "only a shipped order can be returned to sender"
        case "closed": return ["completed", "canceled", "rts"].contains(from) ? nil : "only a completed, canceled or returned order can be closed"
        default: return "cannot move an order from \(from) to \(to)"
        }
    }

    static func paymentChange(from: String, to: String, status: String) -> String? {
        if from == to { return "payment_status is already \(to)" }
        if status == "canceled" || status == "closed" { return "cannot change the payment of a \(status) order" }
        let allowed: [String: [String]] = ["unpaid": ["paid", "conflict"], "conflict": ["paid", "unpaid"], "paid": ["settled", "conflict"]]
        return allowed[from, default: []].contains(to) ? nil : "cannot change payment_status from \(from) to \(to)"
    }
}
