import Foundation

/// An `every` duration — `"15m"`, `"90s"`, `"2h"`, `"1d"`, or seconds as a bare number (`"30"`)
/// — that fires at the multiples of the duration since the Unix epoch: `every("15m")` fires at
/// :00, :15, :30 and :45 of every hour (UTC-aligned; a zone changes nothing), not 15 minutes
/// after a start.
public struct EverySpec: Recurrence, Equatable, CustomStringConvertible {
    /// The spec as written.
    public let source: String
    /// The period in whole seconds, at least 1.
    public let seconds: Int64

    /// A spec for a period of `seconds` (at least 1).
    public init(seconds: Int64) throws(ScheduleError) {
        guard seconds >= 1 else { throw ScheduleError("every \(seconds): the period must be at least 1 second") }
        self.source = "\(seconds)s"
        self.seconds = seconds
    }

    /// Parses a whole number with an optional unit: `s`, `m`, `h` or `d` (none means seconds).
    public init(parsing text: String) throws(ScheduleError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(trimmed)
        var unit: Int64 = 1
        if let last = trimmed.last, let scale = units[Character(last.lowercased())] {
            digits = digits.dropLast()
            unit = scale
        }
        let usage = "use a whole number with a unit s, m, h or d (like \"15m\"), or seconds as a number"
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int64(digits) else {
            throw ScheduleError("every \"\(trimmed)\": \(usage)")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: unit)
        guard count >= 1, !overflow else {
            throw ScheduleError("every \"\(trimmed)\": the period must be at least 1 second and at most \(Int64.max / 86_400) days")
        }
        self.source = trimmed
        self.seconds = total
    }

    /// The spec as written.
    public var description: String { source }

    /// The first multiple of the period since the Unix epoch strictly after `date`.
    public func next(after date: Date) -> Date? {
        let now = date.timeIntervalSince1970
        guard now.isFinite, abs(now) < 1e15 else { return nil }
        let periods = CivilTime.floorDivide(Int64(now.rounded(.down)), seconds) + 1
        let (fire, overflow) = periods.multipliedReportingOverflow(by: seconds)
        return overflow ? nil : Date(timeIntervalSince1970: TimeInterval(fire))
    }

    /// ``next(after:)``: the period is counted from the epoch, so `zone` changes nothing.
    public func next(after date: Date, in zone: TimeZone) -> Date? {
        next(after: date)
    }
}
