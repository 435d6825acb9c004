import Foundation

extension CronSpec {
    /// How far ahead a search looks: a spec that can fire at all (`0 0 29 2 *` included) fires
    /// within eight years.
    static let horizonSeconds: Int64 = 10 * 366 * 86_400

    /// The first fire time strictly after `date`, read on the wall clock of `zone`.
    ///
    /// Daylight saving time: the slots that fall in a spring-forward gap collapse into one run at
    /// the first valid instant after the gap (the transition); in an autumn fall-back overlap a
    /// spec with fixed hours fires once, in the first occurrence of the repeated time, and a spec
    /// with `*` or a step in the hour field fires in both.
    public func next(after date: Date, in zone: TimeZone) -> Date? {
        guard date.timeIntervalSince1970.isFinite else { return nil }
        // fires fall on whole minutes of whole-second offsets: "after" a fraction is after its floor
        var lower = Int64(date.timeIntervalSince1970.rounded(.down)) + 1
        let horizon = lower + Self.horizonSeconds
        // Each pass covers one stretch of constant offset, from `lower` to the zone's next transition.
        while lower < horizon {
            let offset = Self.offset(zone, at: lower)
            let transition = zone.nextDaylightSavingTimeTransition(after: Self.date(lower))
                .map { Int64($0.timeIntervalSince1970.rounded(.up)) }
            var limit = horizon + offset
            var offsetAfter = offset
            if let transition {
                offsetAfter = Self.offset(zone, at: transition)
                limit = min(limit, transition + max(offset, offsetAfter))
            }
            guard let wall = firstWallMatch(atOrAfter: lower + offset, before: limit) else {
                guard let transition else { return nil }
                lower = transition
                continue
            }
            let instant = wall - offset
            if let transition, instant >= transition {
                // the wall times [transition + offset, transition + offsetAfter) do not exist
                if offsetAfter > offset && wall < transition + offsetAfter { return Self.date(transition) }
                lower = transition
                continue
            }
            if !repeatsInOverlap, let repeatedEnd = Self.repeatedWallEnd(zone, at: instant, offset: offset), wall < repeatedEnd {
                // a second occurrence of a wall time this spec has fired at already
                lower = repeatedEnd - offset
                continue
            }
            return Self.date(instant)
        }
        return nil
    }

    /// When `instant` (at `offset`) follows a fall-back transition, the end (as wall seconds) of
    /// the wall times that transition repeats; nil otherwise.
    static func repeatedWallEnd(_ zone: TimeZone, at instant: Int64, offset: Int64) -> Int64? {
        // an overlap lasts far less than two days; find the last transition at or before `instant`
        var last: Int64?
        var probe = instant - 2 * 86_400
        while let next = zone.nextDaylightSavingTimeTransition(after: date(probe)) {
            let seconds = Int64(next.timeIntervalSince1970.rounded(.up))
            guard seconds <= instant else { break }
            last = seconds
            probe = seconds
        }
        guard let transition = last else { return nil }
        let offsetBefore = Self.offset(zone, at: transition - 1)
        return offsetBefore > offset ? transition + offsetBefore : nil
    }

    static func offset(_ zone: TimeZone, at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: date(instant)))
    }

    static func date(_ instant: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(instant))
    }
}
