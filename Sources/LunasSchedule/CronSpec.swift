import Foundation

/// A five-field cron spec — `minute hour day-of-month month day-of-week` — or one of the macros
/// `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly` (`@annually`).
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and comma lists; months and
/// days of the week also take names (`JAN`-`DEC`, `SUN`-`SAT`, any case), and day-of-week 7 is
/// Sunday as 0 is. When both day fields are restricted (anything but a bare `*`), a day matches
/// when either does, as croniter has it: `0 9 1 * MON` fires on the 1st and on every Monday.
///
/// ```swift
/// let spec = try CronSpec(parsing: "0 9 * * MON-FRI")
/// let fires = spec.next(after: now, in: zone, count: 5)
/// ```
///
/// Fire times are read on the wall clock of a time zone; see ``next(after:in:)`` for daylight
/// saving time.
public struct CronSpec: Recurrence, Equatable, CustomStringConvertible {
    /// The spec as written.
    public let source: String
    let minute: CronField
    let hour: CronField
    let dayOfMonth: CronField
    let month: CronField
    let dayOfWeek: CronField

    /// The macros and the specs they stand for.
    public static let macros: [String: String] = [
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]

    /// Parses a spec; the error names the field, the token and what that field allows.
    public init(parsing text: String) throws(ScheduleError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var fieldsText = trimmed
        if trimmed.hasPrefix("@") {
            guard let expansion = Self.macros[trimmed.lowercased()] else {
                throw ScheduleError("unknown macro \"\(trimmed)\": use @hourly, @daily, @weekly, @monthly, @yearly or @annually")
            }
            fieldsText = expansion
        }
        let fields = fieldsText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ScheduleError(
                "cron spec \"\(trimmed)\": needs five fields (minute hour day-of-month month day-of-week), found \(fields.count)")
        }
        source = trimmed
        minute = try CronField(parsing: fields[0], as: .minute)
        hour = try CronField(parsing: fields[1], as: .hour)
        dayOfMonth = try CronField(parsing: fields[2], as: .dayOfMonth)
        month = try CronField(parsing: fields[3], as: .month)
        dayOfWeek = try CronField(parsing: fields[4], as: .dayOfWeek)
        if !dayOfWeek.isRestricted || !dayOfMonth.isRestricted {
            // days are ANDed: some allowed day must exist in some allowed month (Feb 29 counts)
            let possible = month.values.contains { m in
                dayOfMonth.first(atOrAbove: 1).map { $0 <= CivilTime.daysIn(month: m, year: 2000) } ?? false
            }
            guard possible else {
                throw ScheduleError(
                    "day-of-month field \"\(fields[2])\": no such day in month field \"\(fields[3])\"; the spec would never fire")
            }
        }
    }

    /// The minutes (0-59) the spec allows.
    public var minutes: [Int] { minute.values }
    /// The hours (0-23) the spec allows.
    public var hours: [Int] { hour.values }
    /// The days of the month (1-31) the spec allows.
    public var daysOfMonth: [Int] { dayOfMonth.values }
    /// The months (1-12) the spec allows.
    public var months: [Int] { month.values }
    /// The days of the week (0 Sunday - 6 Saturday) the spec allows.
    public var daysOfWeek: [Int] { dayOfWeek.values }

    /// True when the hour field holds `*` or a step: in an autumn overlap such a spec fires in
    /// both occurrences of a repeated hour; one with fixed hours fires in the first only.
    public var repeatsInOverlap: Bool { hour.isWildcardOrStep }

    /// The spec as written.
    public var description: String { source }

    /// True when the wall-clock minute of `date` in `zone` matches every field (seconds ignored).
    public func matches(_ date: Date, in zone: TimeZone) -> Bool {
        let instant = Int64((date.timeIntervalSince1970).rounded(.down))
        return matches(CivilTime(wallSeconds: instant + Int64(zone.secondsFromGMT(for: date))))
    }

    func matches(_ time: CivilTime) -> Bool {
        minute.contains(time.minute) && hour.contains(time.hour) && month.contains(time.month) && dayMatches(time)
    }

    func dayMatches(_ time: CivilTime) -> Bool {
        let byDate = dayOfMonth.contains(time.day)
        let byWeekday = dayOfWeek.contains(time.weekday)
        return dayOfMonth.isRestricted && dayOfWeek.isRestricted ? byDate || byWeekday : byDate && byWeekday
    }

    /// The first matching wall-clock minute at or after `wall` (seconds as if the wall clock
    /// were UTC), or nil if there is none before `limit`. Skips whole months, days and hours
    /// that cannot match.
    func firstWallMatch(atOrAfter wall: Int64, before limit: Int64) -> Int64? {
        let minuteStart = CivilTime.floorDivide(wall + 59, 60) * 60
        var t = CivilTime(wallSeconds: minuteStart)
        let firstMonth = month.first(atOrAbove: 1) ?? 1
        let firstHour = hour.first(atOrAbove: 0) ?? 0
        func startOfNextDay() {
            t.day += 1
            (t.hour, t.minute) = (0, 0)
            if t.day > CivilTime.daysIn(month: t.month, year: t.year) {
                t.day = 1
                t.month += 1
                if t.month > 12 { (t.month, t.year) = (1, t.year + 1) }
            }
        }
        while true {
            if t.wallSeconds >= limit { return nil }
            guard month.contains(t.month) else {
                if let next = month.first(atOrAbove: t.month + 1) {
                    t.month = next
                } else {
                    (t.year, t.month) = (t.year + 1, firstMonth)
                }
                (t.day, t.hour, t.minute) = (1, 0, 0)
                continue
            }
            guard dayMatches(t) else {
                startOfNextDay()
                continue
            }
            guard hour.contains(t.hour) else {
                if let next = hour.first(atOrAbove: t.hour) {
                    (t.hour, t.minute) = (next, 0)
                } else {
                    startOfNextDay()
                    t.hour = firstHour
                }
                continue
            }
            guard let nextMinute = minute.first(atOrAbove: t.minute) else {
                if let next = hour.first(atOrAbove: t.hour + 1) {
                    (t.hour, t.minute) = (next, 0)
                } else {
                    startOfNextDay()
                    t.hour = firstHour
                }
                continue
            }
            t.minute = nextMinute
            let found = t.wallSeconds
            return found < limit ? found : nil
        }
    }
}
