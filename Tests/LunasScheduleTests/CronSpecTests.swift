import Foundation
import LunasSchedule
import Testing

/// Expected values checked against croniter 7.0 (Python) for these zones without DST.
@Suite("cron specs: fields, names, macros, the day rule (Asia/Jakarta)")
struct CronSpecTests {
    static let from = "2026-12-02T14:45:00+07:00"

    @Test("a daily time fires at it each day")
    func daily() throws {
        #expect(try fires("0 9 * * *", from: Self.from) == [
            "2026-12-03T09:00:00+07:00", "2026-12-04T09:00:00+07:00", "2026-12-05T09:00:00+07:00",
            "2026-12-06T09:00:00+07:00", "2026-12-07T09:00:00+07:00",
        ])
    }

    @Test("steps over a range of hours, ranges with steps, N/step to the end")
    func steps() throws {
        #expect(try fires("*/15 9-10 * * *", from: Self.from) == [
            "2026-12-03T09:00:00+07:00", "2026-12-03T09:15:00+07:00", "2026-12-03T09:30:00+07:00",
            "2026-12-03T09:45:00+07:00", "2026-12-03T10:00:00+07:00",
        ])
        #expect(try fires("5-20/5 3 * * *", from: Self.from) == [
            "2026-12-03T03:05:00+07:00", "2026-12-03T03:10:00+07:00", "2026-12-03T03:15:00+07:00",
            "2026-12-03T03:20:00+07:00", "2026-12-04T03:05:00+07:00",
        ])
        #expect(try fires("5/20 3 * * *", from: Self.from) == [
            "2026-12-03T03:05:00+07:00", "2026-12-03T03:25:00+07:00", "2026-12-03T03:45:00+07:00",
            "2026-12-04T03:05:00+07:00", "2026-12-04T03:25:00+07:00",
        ])
    }

    @Test("lists of days of the month and ranges of weekdays")
    func listsAndRanges() throws {
        #expect(try fires("30 8 1,15 * *", from: Self.from) == [
            "2026-12-15T08:30:00+07:00", "2027-01-01T08:30:00+07:00", "2027-01-15T08:30:00+07:00",
            "2027-02-01T08:30:00+07:00", "2027-02-15T08:30:00+07:00",
        ])
        #expect(try fires("0 0 * * MON-FRI", from: Self.from) == [
            "2026-12-03T00:00:00+07:00", "2026-12-04T00:00:00+07:00", "2026-12-07T00:00:00+07:00",
            "2026-12-08T00:00:00+07:00", "2026-12-09T00:00:00+07:00",
        ])
    }

    @Test("both day fields restricted: either matches (croniter's rule), */10 restricts")
    func dayOrRule() throws {
        #expect(try fires("0 9 1 * MON", from: Self.from) == [
            "2026-12-07T09:00:00+07:00", "2026-12-14T09:00:00+07:00", "2026-12-21T09:00:00+07:00",
            "2026-12-28T09:00:00+07:00", "2027-01-01T09:00:00+07:00",
        ])
        #expect(try fires("0 9 */10 * MON", from: Self.from) == [
            "2026-12-07T09:00:00+07:00", "2026-12-11T09:00:00+07:00", "2026-12-14T09:00:00+07:00",
            "2026-12-21T09:00:00+07:00", "2026-12-28T09:00:00+07:00",
        ])
        #expect(try fires("0 9 13 * FRI", from: Self.from) == [
            "2026-12-04T09:00:00+07:00", "2026-12-11T09:00:00+07:00", "2026-12-13T09:00:00+07:00",
            "2026-12-18T09:00:00+07:00", "2026-12-25T09:00:00+07:00",
        ])
        // a bare * in one day field leaves the other alone: Saturdays of February only
        #expect(try fires("0 17 * 2 sat", from: Self.from) == [
            "2027-02-06T17:00:00+07:00", "2027-02-13T17:00:00+07:00", "2027-02-20T17:00:00+07:00",
            "2027-02-27T17:00:00+07:00", "2028-02-05T17:00:00+07:00",
        ])
    }

    @Test("names in any case; 0 and 7 are both Sunday")
    func names() throws {
        #expect(try fires("0 12 1 jan,Jul *", from: Self.from) == [
            "2027-01-01T12:00:00+07:00", "2027-07-01T12:00:00+07:00", "2028-01-01T12:00:00+07:00",
            "2028-07-01T12:00:00+07:00", "2029-01-01T12:00:00+07:00",
        ])
        #expect(try fires("0 6 * * sun-tue", from: Self.from) == [
            "2026-12-06T06:00:00+07:00", "2026-12-07T06:00:00+07:00", "2026-12-08T06:00:00+07:00",
            "2026-12-13T06:00:00+07:00", "2026-12-14T06:00:00+07:00",
        ])
        let sundays = [
            "2026-12-06T09:00:00+07:00", "2026-12-13T09:00:00+07:00", "2026-12-20T09:00:00+07:00",
            "2026-12-27T09:00:00+07:00", "2027-01-03T09:00:00+07:00",
        ]
        #expect(try fires("0 9 * * 7", from: Self.from) == sundays)
        #expect(try fires("0 9 * * 0,7", from: Self.from) == sundays)
        #expect(try fires("0 9 * * SUN", from: Self.from) == sundays)
        #expect(try fires("0 0 * * 5-7", from: Self.from) == [
            "2026-12-04T00:00:00+07:00", "2026-12-05T00:00:00+07:00", "2026-12-06T00:00:00+07:00",
            "2026-12-11T00:00:00+07:00", "2026-12-12T00:00:00+07:00",
        ])
        #expect(try CronSpec(parsing: "0 0 * * 1-7").daysOfWeek == [0, 1, 2, 3, 4, 5, 6])
        #expect(try CronSpec(parsing: "0 0 * Jun-aug *").months == [6, 7, 8])
    }

    @Test("@hourly @daily @weekly @monthly @yearly @annually")
    func macros() throws {
        #expect(try fires("@hourly", from: Self.from, count: 3) == [
            "2026-12-02T15:00:00+07:00", "2026-12-02T16:00:00+07:00", "2026-12-02T17:00:00+07:00",
        ])
        #expect(try fires("@daily", from: Self.from, count: 3) == [
            "2026-12-03T00:00:00+07:00", "2026-12-04T00:00:00+07:00", "2026-12-05T00:00:00+07:00",
        ])
        #expect(try fires("@weekly", from: Self.from, count: 3) == [
            "2026-12-06T00:00:00+07:00", "2026-12-13T00:00:00+07:00", "2026-12-20T00:00:00+07:00",
        ])
        #expect(try fires("@monthly", from: Self.from, count: 3) == [
            "2027-01-01T00:00:00+07:00", "2027-02-01T00:00:00+07:00", "2027-03-01T00:00:00+07:00",
        ])
        let yearly = ["2027-01-01T00:00:00+07:00", "2028-01-01T00:00:00+07:00", "2029-01-01T00:00:00+07:00"]
        #expect(try fires("@yearly", from: Self.from, count: 3) == yearly)
        #expect(try fires("@ANNUALLY", from: Self.from, count: 3) == yearly)
    }

    @Test("the leap day fires every four years, skipping 2100")
    func leapDay() throws {
        #expect(try fires("0 0 29 2 *", from: Self.from) == [
            "2028-02-29T00:00:00+07:00", "2032-02-29T00:00:00+07:00", "2036-02-29T00:00:00+07:00",
            "2040-02-29T00:00:00+07:00", "2044-02-29T00:00:00+07:00",
        ])
        #expect(try fires("0 0 29 2 *", from: "2097-01-01T00:00:00+07:00", count: 3) == [
            "2104-02-29T00:00:00+07:00", "2108-02-29T00:00:00+07:00", "2112-02-29T00:00:00+07:00",
        ])
        // with a weekday too, either matches: the Mondays of February, and the 29th
        #expect(try fires("0 0 29 2 1", from: "2026-12-02T00:00:00+07:00", count: 6) == [
            "2027-02-01T00:00:00+07:00", "2027-02-08T00:00:00+07:00", "2027-02-15T00:00:00+07:00",
            "2027-02-22T00:00:00+07:00", "2028-02-07T00:00:00+07:00", "2028-02-14T00:00:00+07:00",
        ])
    }

    @Test("the last days of months: 31 and 30 skip the shorter months, 28-31 takes each")
    func lastDaysOfMonth() throws {
        #expect(try fires("0 0 31 * *", from: Self.from) == [
            "2026-12-31T00:00:00+07:00", "2027-01-31T00:00:00+07:00", "2027-03-31T00:00:00+07:00",
            "2027-05-31T00:00:00+07:00", "2027-07-31T00:00:00+07:00",
        ])
        #expect(try fires("0 0 30 * *", from: Self.from) == [
            "2026-12-30T00:00:00+07:00", "2027-01-30T00:00:00+07:00", "2027-03-30T00:00:00+07:00",
            "2027-04-30T00:00:00+07:00", "2027-05-30T00:00:00+07:00",
        ])
        #expect(try fires("0 0 28-31 * *", from: Self.from) == [
            "2026-12-28T00:00:00+07:00", "2026-12-29T00:00:00+07:00", "2026-12-30T00:00:00+07:00",
            "2026-12-31T00:00:00+07:00", "2027-01-28T00:00:00+07:00",
        ])
        #expect(try fires("59 23 28-31 2 *", from: "2027-02-01T00:00:00+07:00", count: 3) == [
            "2027-02-28T23:59:00+07:00", "2028-02-28T23:59:00+07:00", "2028-02-29T23:59:00+07:00",
        ])
    }

    @Test("after is strict, and a fraction of a second counts as its whole second")
    func strictlyAfter() throws {
        let zone = try zone("Asia/Jakarta")
        let spec = try CronSpec(parsing: "0 9 * * *")
        let nine = try instant("2026-12-03T09:00:00+07:00")
        #expect(spec.next(after: nine, in: zone)?.iso8601(in: zone) == "2026-12-04T09:00:00+07:00")
        #expect(spec.next(after: nine.addingTimeInterval(-0.5), in: zone) == nine)
        #expect(spec.next(after: nine.addingTimeInterval(0.5), in: zone)?.iso8601(in: zone) == "2026-12-04T09:00:00+07:00")
        #expect(spec.matches(nine, in: zone))
        #expect(!spec.matches(nine.addingTimeInterval(60), in: zone))
    }

    @Test("Asia/Jakarta has no DST: 02:30 every day of the year at +07:00")
    func jakartaAllYear() throws {
        let all = try fires("30 2 * * *", from: "2026-01-01T00:00:00+07:00", count: 365)
        #expect(all.count == 365)
        #expect(all.allSatisfy { $0.hasSuffix("T02:30:00+07:00") })
        #expect(all[86] == "2026-03-28T02:30:00+07:00")
        #expect(all[87] == "2026-03-29T02:30:00+07:00")
        #expect(all[297] == "2026-10-25T02:30:00+07:00")
        #expect(all[364] == "2026-12-31T02:30:00+07:00")
    }

    @Test("a spec and its fields, as parsed")
    func parsedFields() throws {
        let spec = try CronSpec(parsing: "  0,30 9-17/4 1,15 */3 mon-fri ")
        #expect(spec.source == "0,30 9-17/4 1,15 */3 mon-fri")
        #expect(spec.minutes == [0, 30])
        #expect(spec.hours == [9, 13, 17])
        #expect(spec.daysOfMonth == [1, 15])
        #expect(spec.months == [1, 4, 7, 10])
        #expect(spec.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(spec.repeatsInOverlap)
        #expect(try !CronSpec(parsing: "0 9,21 * * *").repeatsInOverlap)
        #expect(try CronSpec(parsing: "@daily") == CronSpec(parsing: "@daily"))
    }
}
