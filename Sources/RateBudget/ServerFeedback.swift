/// What the server said about the credential, as constraints that can only hold sends back:
/// a pause (after a 429, or when it said nothing is left while others use the key), and the
/// requests other clients of the key were seen to send, per window.
struct ServerFeedback {
    /// No send before this.
    private(set) var pausedUntil: ContinuousClock.Instant?
    private var inFlight: [ContinuousClock.Instant] = []
    /// Per window: (when seen, how many requests of other clients the server counted).
    private var outside: [Int: [(at: ContinuousClock.Instant, count: Int)]] = [:]

    var inFlightCount: Int { inFlight.count }

    mutating func sent(at now: ContinuousClock.Instant) { inFlight.append(now) }

    /// A response arrived: the oldest send in flight is answered; sends never answered (the
    /// connection failed) are forgotten after a minute.
    mutating func answered(now: ContinuousClock.Instant) {
        if !inFlight.isEmpty { inFlight.removeFirst() }
        inFlight.removeAll { $0 < now - .seconds(60) }
    }

    mutating func pause(until instant: ContinuousClock.Instant) {
        pausedUntil = max(pausedUntil ?? instant, instant)
    }

    /// Until when sends are held back, if they are at `now`.
    func held(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let pausedUntil, pausedUntil > now else { return nil }
        return pausedUntil
    }

    /// The server counted `count` requests in window `index` that the ledger does not know of.
    mutating func sawOutside(window index: Int, count: Int, now: ContinuousClock.Instant) {
        outside[index, default: []].append((now, count))
    }

    /// Per window, how many requests other clients sent lately: the most seen within three of
    /// the window's lengths (a client's count in a window varies with where the window falls;
    /// it fades once they stop).
    mutating func outsideUse(window index: Int, length: Duration, now: ContinuousClock.Instant) -> Int {
        guard var seen = outside[index] else { return 0 }
        seen.removeAll { $0.at <= now - length * 3 }
        outside[index] = seen.isEmpty ? nil : seen
        return seen.map(\.count).max() ?? 0
    }
}
