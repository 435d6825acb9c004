extension Duration {
    /// The duration in whole milliseconds, rounded up so that a positive duration is never 0; one
    /// too long for that saturates at a quarter of the range, far beyond any bound.
    public var wholeMillisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return seconds > 0 ? Int64.max / 2 : Int64.min / 2 }
        let fraction = attoseconds / 1_000_000_000_000_000
        return ms.partialValue + fraction + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)
    }
}
