import Metrics

/// The budget's metrics (swift-metrics), per credential and script: `lunas_budget_requests_sent`
/// (slots granted), `lunas_budget_wait` (time waited for a slot), `lunas_budget_429s` (429s
/// received). Credential names are hashed identities, never secrets.
struct BudgetMetrics {
    private struct Instruments {
        let sent: Counter
        let waited: Timer
        let refused: Counter
    }

    let credential: String
    private var instruments: [String: Instruments] = [:]

    init(credential: String) {
        self.credential = credential
    }

    private mutating func instruments(_ script: String) -> Instruments {
        if let found = instruments[script] { return found }
        let dimensions = [("credential", credential), ("script", script)]
        let made = Instruments(
            sent: Counter(label: "lunas_budget_requests_sent", dimensions: dimensions),
            waited: Timer(label: "lunas_budget_wait", dimensions: dimensions),
            refused: Counter(label: "lunas_budget_429s", dimensions: dimensions))
        instruments[script] = made
        return made
    }

    mutating func granted(script: String, waited: Duration) {
        let made = instruments(script)
        made.sent.increment()
        made.waited.recordNanoseconds(Int64(waited.secondsValue * 1e9))
    }

    mutating func refused(script: String) {
        instruments(script).refused.increment()
    }
}
