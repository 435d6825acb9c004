// The reserve: slots of each window that no single script takes.
extension CredentialBudget {
    /// What one script may send in each window, with a reserve configured; `nil` without.
    func reserveCaps(now: ContinuousClock.Instant) -> [(length: Duration, limit: Int)]? {
        guard spec.reserve > 0 else { return nil }
        let limits = effectiveLimits(now: now)
        return spec.windows.enumerated().map { (length: $1.length, limit: max(1, limits[$0] - spec.reserve)) }
    }

    /// The earliest instant >= now at which `script` may take one more slot under `caps`.
    func nextTurn(of script: String, caps: [(length: Duration, limit: Int)], now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        scriptSends[script]?.earliest(caps, now: now) ?? now
    }

    /// Notes a send of `script` now.
    func recordSend(of script: String, now: ContinuousClock.Instant) {
        scriptSends[script, default: SendLog()].insert(now)
    }

    /// Forgets sends older than `age`, and scripts with none left.
    func trimScriptSends(now: ContinuousClock.Instant, keeping age: Duration) {
        for script in Array(scriptSends.keys) {
            scriptSends[script]?.trim(now: now, keeping: age)
            if scriptSends[script]?.isEmpty == true { scriptSends[script] = nil }
        }
    }
}
