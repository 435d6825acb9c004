import Foundation
import LuaKit
import LunasRuntime
import Testing

@Suite("stdlib: lunas.time")
struct StdlibTimeTests {
    @Test("ISO 8601 stamps: parse and format round trips, offsets, fractions, local times in a zone")
    func stamps() async {
        let failures = await StdlibCheck.failures("""
            local time = require "lunas.time"
            local t = time.parse("2026-11-23T00:38:42Z")
            eq(t, 1795394322)
            eq(math.type(t), "integer")
            eq(time.format(t), "2026-11-23T00:38:42Z")
            eq(time.format(t, "Asia/Jakarta"), "2026-11-23T07:38:42+07:00")
            eq(time.format(t, "America/New_York"), "2026-11-22T19:38:42-05:00")
            eq(time.format(t, "Asia/Kolkata"), "2026-11-23T06:08:42+05:30")
            eq(time.format(t, "UTC"), "2026-11-23T00:38:42Z")
            eq(time.parse("2026-11-23T07:38:42+07:00"), t)
            eq(time.parse("2026-11-22T19:38:42-0500"), t)
            eq(time.parse("2026-11-23 07:38:42+07:00"), t)
            eq(time.parse("2026-11-23T07:38:42"), t)
            eq(time.parse("2026-11-22T19:38:42", "America/New_York"), t)
            eq(time.format(time.parse("2026-11-23")), "2026-11-22T17:00:00Z")
            eq(time.format(time.parse("2026-11-23", "UTC")), "2026-11-23T00:00:00Z")
            local f = time.parse("2026-11-23T00:38:42.250Z")
            eq(f, 1795394322.25)
            eq(time.format(f), "2026-11-23T00:38:42.250Z")
            eq(time.format(time.parse("2026-11-23T07:38:42.123456+07:00"), "Asia/Jakarta"), "2026-11-23T07:38:42.123+07:00")
            eq(time.parse("2026-11-23T00:38:42.000Z"), t)
            for _, s in ipairs({ "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z", "2024-12-31T23:59:59Z", "2100-03-01T00:00:00Z" }) do
              eq(time.format(time.parse(s)), s)
            end
            eq(time.parse("1969-12-31T23:59:59Z"), -1)
            fails('time.parse: "2026-02-29T00:00:00Z" is not an ISO 8601 time: no such date', time.parse, "2026-02-29T00:00:00Z")
            fails('time.parse: "2026-13-01T00:00:00Z" is not an ISO 8601 time: no such date', time.parse, "2026-13-01T00:00:00Z")
            fails('time.parse: "2026-11-23T24:00:00Z" is not an ISO 8601 time: no such time of day', time.parse, "2026-11-23T24:00:00Z")
            fails('time.parse: "2026-11-23T00:00:00+25:00" is not an ISO 8601 time: bad offset', time.parse, "2026-11-23T00:00:00+25:00")
            fails('time.parse: "23 Nov 2026" is not an ISO 8601 time', time.parse, "23 Nov 2026")
            fails('time.format: unknown time zone "Mars/Olympus"', time.format, t, "Mars/Olympus")
            fails("time.format: expected an instant", time.format, "2026")
            local d = time.date(t, "Asia/Jakarta")
            eq(d.year, 2026) eq(d.month, 11) eq(d.day, 23) eq(d.hour, 7) eq(d.min, 38) eq(d.sec, 42) eq(d.weekday, 1) eq(d.offset, 25200)
            eq(time.zone, "Asia/Jakarta")
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("the default zone is the configuration's time_zone")
    func configuredZone() async {
        let failures = await StdlibCheck.failures("""
            local time = require "lunas.time"
            eq(time.zone, "Europe/Berlin")
            eq(time.format(time.parse("2026-07-01T00:00:00")), "2026-06-30T22:00:00Z")
            eq(time.format(time.start_of(time.parse("2026-07-15T12:00:00Z"), "month")), "2026-06-30T22:00:00Z")
            """, timeZone: "Europe/Berlin")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("durations")
    func durations() async {
        let failures = await StdlibCheck.failures("""
            local time = require "lunas.time"
            eq(time.duration("15m"), 900) eq(time.duration("2h"), 7200) eq(time.duration("7d"), 604800)
            eq(time.duration("90s"), 90) eq(time.duration("1h30m"), 5400) eq(time.duration("2w"), 1209600)
            eq(time.format(time.parse("2026-11-23T23:00:00Z") + time.duration("2h")), "2026-11-24T01:00:00Z")
            fails('time.duration: "5x" is not a duration', time.duration, "5x")
            fails('time.duration: "15 m" is not a duration', time.duration, "15 m")
            fails('time.duration: "1.5h" is not a duration', time.duration, "1.5h")
            fails("time.duration: expected a duration", time.duration, "")
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("start_of day, week and month in Asia/Jakarta and across DST in New York and Berlin")
    func startOf() async {
        let failures = await StdlibCheck.failures("""
            local time = require "lunas.time"
            local function s(stamp, unit, zone) return time.format(time.start_of(time.parse(stamp), unit, zone)) end
            -- 01:00 on Monday 23 November in Jakarta
            eq(s("2026-11-22T18:00:00Z", "day"), "2026-11-22T17:00:00Z")
            eq(s("2026-11-22T18:00:00Z", "week"), "2026-11-22T17:00:00Z")
            eq(s("2026-11-22T18:00:00Z", "month"), "2026-10-31T17:00:00Z")
            eq(s("2026-11-22T16:59:59Z", "day", "Asia/Jakarta"), "2026-11-21T17:00:00Z")
            eq(s("2026-01-01T03:00:00Z", "week", "Asia/Jakarta"), "2025-12-28T17:00:00Z")
            -- New York springs forward on 8 March 2026: that day starts in EST, the next in EDT
            eq(s("2026-03-08T12:00:00Z", "day", "America/New_York"), "2026-03-08T05:00:00Z")
            eq(s("2026-03-09T12:00:00Z", "day", "America/New_York"), "2026-03-09T04:00:00Z")
            eq(s("2026-03-12T12:00:00Z", "week", "America/New_York"), "2026-03-09T04:00:00Z")
            eq(s("2026-03-08T12:00:00Z", "week", "America/New_York"), "2026-03-02T05:00:00Z")
            eq(s("2026-04-15T12:00:00Z", "month", "America/New_York"), "2026-04-01T04:00:00Z")
            eq(s("2026-11-01T12:00:00Z", "day", "America/New_York"), "2026-11-01T04:00:00Z")
            eq(s("2026-10-25T12:00:00Z", "day", "Europe/Berlin"), "2026-10-24T22:00:00Z")
            fails('time.start_of: the unit must be "day", "week" or "month", got "year"', time.start_of, 0, "year")
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("adding months keeps the time of day and clamps to the month's end, leap years included")
    func addMonths() async {
        let failures = await StdlibCheck.failures("""
            local time = require "lunas.time"
            local function a(stamp, n, zone) return time.format(time.add_months(time.parse(stamp), n, zone), zone or "Asia/Jakarta") end
            eq(a("2024-01-31T10:00:00+07:00", 1), "2024-02-29T10:00:00+07:00")
            eq(a("2023-01-31T10:00:00+07:00", 1), "2023-02-28T10:00:00+07:00")
            eq(a("2024-12-31T10:00:00+07:00", 2), "2025-02-28T10:00:00+07:00")
            eq(a("2024-03-31T10:00:00+07:00", -13), "2023-02-28T10:00:00+07:00")
            eq(a("2024-02-29T10:00:00+07:00", 12), "2025-02-28T10:00:00+07:00")
            eq(a("2024-02-29T10:00:00+07:00", 48), "2028-02-29T10:00:00+07:00")
            eq(a("2024-05-31T23:30:00+07:00", 1), "2024-06-30T23:30:00+07:00")
            eq(a("2026-11-30T00:00:00+07:00", 1), "2026-12-30T00:00:00+07:00")
            eq(a("2026-12-15T08:00:00+07:00", 0), "2026-12-15T08:00:00+07:00")
            -- the wall clock is kept across a DST change
            eq(a("2026-01-31T09:00:00-05:00", 2, "America/New_York"), "2026-03-31T09:00:00-04:00")
            eq(time.format(time.add_months(time.parse("2026-01-31T09:00:00.500Z"), 1, "UTC")), "2026-02-28T09:00:00.500Z")
            fails("time.add_months: the months must be an integer", time.add_months, 0, 1.5)
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("start_of, add_months and format agree with Foundation's calendar in four zones over three years")
    func againstFoundation() async throws {
        let zones = ["Asia/Jakarta", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]
        let instants = Array(stride(from: 1_704_067_200, to: 1_798_761_600, by: 97_213))
        for name in zones {
            let zone = try #require(TimeZone(identifier: name))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            calendar.firstWeekday = 2
            let iso = ISO8601DateFormatter()
            iso.timeZone = zone
            var expected: [String] = []
            for t in instants {
                let date = Date(timeIntervalSince1970: TimeInterval(t))
                let day = calendar.startOfDay(for: date)
                let week = try #require(calendar.dateInterval(of: .weekOfYear, for: date)?.start)
                let month = try #require(calendar.dateInterval(of: .month, for: date)?.start)
                let later = try #require(calendar.date(byAdding: .month, value: 5, to: date))
                expected.append([day, week, month, later].map { String(Int($0.timeIntervalSince1970)) }.joined(separator: " ") + " " + iso.string(from: date))
            }
            let list = instants.map(String.init).joined(separator: ", ")
            let result = await StdlibCheck.runtime().run(RunRequest(source: .text("""
                local time = require "lunas.time"
                local zone, out = "\(name)", {}
                for _, t in ipairs({ \(list) }) do
                  out[#out + 1] = table.concat({ time.start_of(t, "day", zone), time.start_of(t, "week", zone), time.start_of(t, "month", zone),
                    time.add_months(t, 5, zone), time.format(t, zone) }, " ")
                end
                return table.concat(out, "\\n")
                """, chunkName: "property.lua"), output: RunTranscript().output))
            guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
            let got = (values.first?.stringValue ?? "").split(separator: "\n").map(String.init)
            let wrong = zip(got, expected).filter { $0 != $1 }.prefix(5)
            #expect(got.count == expected.count && wrong.isEmpty, "\(name): \(wrong.map { "got \($0.0), want \($0.1)" })")
        }
    }
}
