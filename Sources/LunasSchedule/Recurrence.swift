import Foundation

/// A rule of repeating instants: a ``CronSpec`` read in a time zone, or an ``EverySpec``.
public protocol Recurrence: Sendable {
    /// The first fire time strictly after `date` in `zone`, or nil when there is none within
    /// the search horizon (a spec such as `0 0 29 2 *` fires at least every eight years).
    func next(after date: Date, in zone: TimeZone) -> Date?
}

extension Recurrence {
    /// The fire times strictly after `date` in `zone`, in increasing order.
    public func fires(after date: Date, in zone: TimeZone) -> RecurrenceFires<Self> {
        RecurrenceFires(recurrence: self, after: date, zone: zone)
    }

    /// The first `count` fire times strictly after `date` in `zone` (fewer only past the horizon).
    public func next(after date: Date, in zone: TimeZone, count: Int) -> [Date] {
        Array(fires(after: date, in: zone).prefix(max(count, 0)))
    }
}

/// The fire times of a ``Recurrence`` after a given instant, strictly increasing.
public struct RecurrenceFires<R: Recurrence>: Sequence, IteratorProtocol, Sendable {
    private let recurrence: R
    private let zone: TimeZone
    private var last: Date?

    init(recurrence: R, after date: Date, zone: TimeZone) {
        self.recurrence = recurrence
        self.zone = zone
        self.last = date
    }

    /// The next fire time, or nil past the horizon.
    public mutating func next() -> Date? {
        guard let last else { return nil }
        let fire = recurrence.next(after: last, in: zone)
        self.last = fire
        return fire
    }
}
