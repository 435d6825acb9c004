import Foundation
import LunasSchedule
import Testing

/// Europe/Berlin 2026: 02:00 CET becomes 03:00 CEST on 29 March; 03:00 CEST becomes 02:00 CET on
/// 25 October. America/New_York 2026: 8 March 02:00 EST → 03:00 EDT; 1 November 02:00 EDT → 01:00 EST.
@Suite("cron specs across daylight saving time")
struct DaylightSavingTests {
    @Test("spring: a fixed time in the gap runs once at the first instant after it")
    func springGapFixedTime() throws {
        #expect(try fires("30 2 * * *", from: "2026-03-27T12:00:00+01:00", in: "Europe/Berlin", count: 4) == [
            "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00",
            "2026-03-31T02:30:00+02:00",
        ])
        #expect(try fires("30 2 8 3 *", from: "2026-01-01T00:00:00-05:00", in: "America/New_York", count: 2) == [
            "2026-03-08T03:00:00-04:00", "2027-03-08T02:30:00-05:00",
        ])
    }

    @Test("spring: several slots of the gap collapse into one run")
    func springGapCollapses() throws {
        #expect(try fires("15,45 2 * * *", from: "2026-03-28T12:00:00+01:00", in: "Europe/Berlin", count: 3) == [
            "2026-03-29T03:00:00+02:00", "2026-03-30T02:15:00+02:00", "2026-03-30T02:45:00+02:00",
        ])
        // the gap's 02:00-02:45 and the real 03:00 are one run at 03:00
        #expect(try fires("*/15 * * * *", from: "2026-03-29T01:20:00+01:00", in: "Europe/Berlin", count: 5) == [
            "2026-03-29T01:30:00+01:00", "2026-03-29T01:45:00+01:00", "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:15:00+02:00", "2026-03-29T03:30:00+02:00",
        ])
        #expect(try fires("* 2 * * *", from: "2026-03-28T12:00:00+01:00", in: "Europe/Berlin", count: 2) == [
            "2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00",
        ])
        // from inside the gap's hour of the wall clock (01:59:30 CET), too
        #expect(try fires("30 2 * * *", from: "2026-03-29T01:59:30+01:00", in: "Europe/Berlin", count: 1) == [
            "2026-03-29T03:00:00+02:00",
        ])
    }

    @Test("autumn: a spec with fixed hours fires once, in the first occurrence")
    func autumnFixedHourOnce() throws {
        #expect(try fires("30 2 * * *", from: "2026-10-24T12:00:00+02:00", in: "Europe/Berlin", count: 3) == [
            "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00",
        ])
        #expect(try fires("30 1 * * *", from: "2026-10-31T12:00:00-04:00", in: "America/New_York", count: 2) == [
            "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00",
        ])
        // every minute of hour 2, once: 02:00-02:59 CEST, not again in CET
        let minutes = try fires("* 2 * * *", from: "2026-10-25T01:59:00+02:00", in: "Europe/Berlin", count: 61)
        #expect(minutes.first == "2026-10-25T02:00:00+02:00")
        #expect(minutes[59] == "2026-10-25T02:59:00+02:00")
        #expect(minutes[60] == "2026-10-26T02:00:00+01:00")
        // starting inside the second occurrence, the repeated slot is not fired again
        #expect(try fires("30 2 * * *", from: "2026-10-25T02:10:00+01:00", in: "Europe/Berlin", count: 1) == [
            "2026-10-26T02:30:00+01:00",
        ])
    }

    @Test("autumn: a spec with * or a step in the hour fires in both occurrences")
    func autumnWildcardHourTwice() throws {
        #expect(try fires("30 * * * *", from: "2026-10-25T00:00:00+02:00", in: "Europe/Berlin", count: 5) == [
            "2026-10-25T00:30:00+02:00", "2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00",
            "2026-10-25T02:30:00+01:00", "2026-10-25T03:30:00+01:00",
        ])
        #expect(try fires("0 */2 * * *", from: "2026-10-25T00:00:00+02:00", in: "Europe/Berlin", count: 4) == [
            "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T04:00:00+01:00",
            "2026-10-25T06:00:00+01:00",
        ])
        #expect(try fires("@hourly", from: "2026-11-01T00:30:00-04:00", in: "America/New_York", count: 4) == [
            "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00",
            "2026-11-01T03:00:00-05:00",
        ])
    }

    @Test("a leap day years away is found across the transitions between (no scan by minute)")
    func leapDayAcrossTransitions() throws {
        #expect(try fires("0 0 29 2 *", from: "2097-01-01T00:00:00+01:00", in: "Europe/Berlin", count: 2) == [
            "2104-02-29T00:00:00+01:00", "2108-02-29T00:00:00+01:00",
        ])
        #expect(try fires("30 2 29 2 *", from: "2026-06-01T00:00:00-04:00", in: "America/New_York", count: 1) == [
            "2028-02-29T02:30:00-05:00",
        ])
    }

    @Test("across a whole year in Berlin a daily 02:30 fires 365 times, once a day")
    func berlinYear() throws {
        let all = try fires("30 2 * * *", from: "2026-01-01T00:00:00+01:00", in: "Europe/Berlin", count: 365)
        #expect(all.count == 365)
        #expect(Set(all.map { $0.prefix(10) }).count == 365)
        #expect(all[87] == "2026-03-29T03:00:00+02:00")
        #expect(all[297] == "2026-10-25T02:30:00+02:00")
        #expect(all[364] == "2026-12-31T02:30:00+01:00")
    }
}
