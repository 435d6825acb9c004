/// Why a budget refused.
public enum BudgetError: Error, CustomStringConvertible, Equatable {
    /// The credential's next slot for the caller is later than its deadline; nothing was waited.
    case deadlineExceeded(credential: String, wouldWait: Duration)
    /// A budget spec could not be parsed; `item` is the offending `N/T` item.
    case invalidSpec(String, item: String, reason: String)
    /// The ledger (the store) failed while slots were needed.
    case ledgerUnavailable(credential: String, message: String)
    /// A ledger refused a slot request out of its bounds (a count, a window or a reach).
    case invalidSlotRequest(String)

    /// What went wrong and what to do next.
    public var description: String {
        switch self {
        case .deadlineExceeded(let credential, let wait):
            let seconds = (wait.secondsValue * 10).rounded(.up) / 10
            return "the rate budget of credential \(credential) has no slot for \(seconds) s, past the run's deadline; "
                + "raise the deadline, lower the request rate, or give this script a larger weight"
        case .invalidSpec(let spec, let item, let reason):
            return "invalid rate budget \"\(spec)\": item \"\(item)\": \(reason)"
        case .ledgerUnavailable(let credential, let message):
            return "the rate budget of credential \(credential) could not reserve a slot in the store: \(message)"
        case .invalidSlotRequest(let reason):
            return reason
        }
    }
}
