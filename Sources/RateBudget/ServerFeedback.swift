/// What the server said about the credential, as constraints that can only hold sends back:
/// a pause (after a 429, or when it said nothing is left while others use the key), the
/// requests other clients of the key were seen to send, per window, and the caution learned
/// from 429s the model did not foresee.
struct ServerFeedback {
    /// No send before this.
    private(set) var pausedUntil: ContinuousClock.Instant?
    /// Slots of the shortest window left free beyond what other clients were seen to use: their
    /// sends jitter too. Raised by a 429 while others use the key.
    private(set) var headroom = 0
    /// Added to the margin of every window: sends reach the server later than the margin
    /// allowed for. Raised by a 429 while nobody else was seen using the key.
    private(set) var extraMargin: Duration = .zero
    private var lastRelaxed: ContinuousClock.Instant?
    /// Per window: (when seen, how many requests of other clients the server counted).
    private var outside: [Int: [(at: ContinuousClock.Instant, count: Int)]] = [:]

    mutating func pause(until instant: ContinuousClock.Instant) {
        pausedUntil = max(pausedUntil ?? instant, instant)
    }

    /// Until when sends are held back, if they are at `now`.
    func held(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard let pausedUntil, pausedUntil > now else { return nil }
        return pausedUntil
    }

    /// A 429 arrived: while other clients are being learned of, it says nothing new; once they
    /// have been seen for a while, it is their jitter (one more slot of headroom, up to
    /// `maxHeadroom`); with nobody else seen, it is late sends (the margin widened by `step`, up
    /// to `maxExtra`).
    mutating func refused(now: ContinuousClock.Instant, others: Others, maxHeadroom: Int, step: Duration, maxExtra: Duration) {
        switch others {
        case .learning:
            break
        case .known:
            headroom = min(maxHeadroom, headroom + 1)
        case .none:
            extraMargin = min(maxExtra, extraMargin + step)
        }
        lastRelaxed = now
    }

    /// What is known of other clients of the key when a 429 arrives.
    enum Others {
        case none, learning, known
    }

    /// Steps the caution back down, one step per `quiet` without a 429.
    mutating func relax(now: ContinuousClock.Instant, quiet: Duration, step: Duration) {
        guard headroom > 0 || extraMargin > .zero, let since = lastRelaxed, now - since >= quiet else { return }
        lastRelaxed = now
        if headroom > 0 { headroom -= 1 }
        extraMargin = max(.zero, extraMargin - step)
    }

    /// Since when other clients of the key have been seen, if they were lately.
    func othersSeenSince(now: ContinuousClock.Instant, within age: Duration) -> ContinuousClock.Instant? {
        outside.values.compactMap { $0.first { $0.at > now - age }?.at }.min()
    }

    /// The server counted `count` requests in window `index` that the ledger does not know of.
    mutating func sawOutside(window index: Int, count: Int, now: ContinuousClock.Instant) {
        var seen = outside[index, default: []]
        // One entry per second: the most seen in it.
        if let last = seen.last, now - last.at < .seconds(1) {
            seen[seen.count - 1].count = max(last.count, count)
        } else {
            seen.append((now, count))
        }
        outside[index] = seen
    }

    /// Per window, how many requests other clients sent lately: the lower median of the most seen
    /// in each second within `memory`. A client's count in a window varies with where the window
    /// falls (a steady 5 per 2 s is 6 whenever its sends land on both edges; a late wake-up on a
    /// loaded machine does the same), and the slot left free for jitter covers one more; taking
    /// the outliers instead would leave that slot free twice. It fades once they stop.
    mutating func outsideUse(window index: Int, memory: Duration, now: ContinuousClock.Instant) -> Int {
        guard var seen = outside[index] else { return 0 }
        seen.removeAll { $0.at <= now - memory }
        outside[index] = seen.isEmpty ? nil : seen
        let counts = seen.map(\.count).sorted()
        return counts.isEmpty ? 0 : counts[(counts.count - 1) / 2]
    }
}
