import RateBudget

extension SlotRequest {
    /// Refuses a request the store's ledger cannot take: a credential that is not a valid key,
    /// or a count, window or reach out of ``RateLedgerRules``' bounds.
    func check() throws {
        try KVNames.checkKey(credential)
        if let problem = RateLedgerRules.problem(with: self) { throw StoreError.invalidArgument(problem) }
    }
}
