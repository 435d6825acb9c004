import Foundation
import LunasSchedule
import Testing

@Suite("cron specs: errors say which field, which token, what is allowed")
struct CronSpecErrorTests {
    @Test("values out of their field's range", arguments: [
        ("61 * * * *", #"minute field "61": must be 0-59"#),
        ("0 24 * * *", #"hour field "24": must be 0-23"#),
        ("0 0 0 * *", #"day-of-month field "0": must be 1-31"#),
        ("0 0 32 * *", #"day-of-month field "32": must be 1-31"#),
        ("0 0 * 13 *", #"month field "13": must be 1-12 or JAN-DEC"#),
        ("0 0 * * 8", #"day-of-week field "8": must be 0-7 (0 and 7 are Sunday) or SUN-SAT"#),
        ("5,61 * * * *", #"minute field "5,61": "61" must be 0-59"#),
        ("0 9-25 * * *", #"hour field "9-25": "25" must be 0-23"#),
    ])
    func outOfRange(spec: String, message: String) {
        #expect(parseError(spec) == message)
    }

    @Test("names that are not names, and names in the wrong field", arguments: [
        ("0 0 * JANUARY *", #"month field "JANUARY": must be 1-12 or JAN-DEC"#),
        ("0 0 * * MON-FUN", #"day-of-week field "MON-FUN": "FUN" must be 0-7 (0 and 7 are Sunday) or SUN-SAT"#),
        ("0 0 MON * *", #"day-of-month field "MON": must be 1-31"#),
        ("x * * * *", #"minute field "x": must be 0-59"#),
        ("+5 * * * *", #"minute field "+5": must be 0-59"#),
    ])
    func badNames(spec: String, message: String) {
        #expect(parseError(spec) == message)
    }

    @Test("steps, ranges and lists that cannot be read", arguments: [
        ("*/0 * * * *", #"minute field "*/0": the step must be 1-59"#),
        ("*/x * * * *", #"minute field "*/x": the step must be 1-59"#),
        ("0 */24 * * *", #"hour field "*/24": the step must be 1-23"#),
        ("1/2/3 * * * *", #"minute field "1/2/3": use one step, like */15 or 0-30/5"#),
        ("0 17-9 * * *", #"hour field "17-9": a range runs from low to high, like 9-17"#),
        ("1,,2 * * * *", #"minute field "1,,2": an empty item in the list; separate values with single commas"#),
        ("0 0 * * -1", #"day-of-week field "-1": must be 0-7 (0 and 7 are Sunday) or SUN-SAT"#),
    ])
    func badSyntax(spec: String, message: String) {
        #expect(parseError(spec) == message)
    }

    @Test("the wrong number of fields, unknown macros, days that never come")
    func wholeSpec() {
        #expect(parseError("0 9 * *") == #"cron spec "0 9 * *": needs five fields (minute hour day-of-month month day-of-week), found 4"#)
        #expect(parseError("0 9 * * * 2026") == #"cron spec "0 9 * * * 2026": needs five fields (minute hour day-of-month month day-of-week), found 6"#)
        #expect(parseError("") == #"cron spec "": needs five fields (minute hour day-of-month month day-of-week), found 0"#)
        #expect(parseError("@fortnightly") == #"unknown macro "@fortnightly": use @hourly, @daily, @weekly, @monthly, @yearly or @annually"#)
        #expect(parseError("0 0 30 2 *") == #"day-of-month field "30": no such day in month field "2"; the spec would never fire"#)
        #expect(parseError("0 0 31 4,6,9,11 *") == #"day-of-month field "31": no such day in month field "4,6,9,11"; the spec would never fire"#)
        // with a weekday as well, either day field matches: Mondays of February fire
        #expect(parseError("0 0 30 2 MON") == nil)
        #expect(parseError("0 0 29 2 *") == nil)
    }

    @Test("an unknown time zone names itself and the fix")
    func unknownZone() {
        #expect(throws: ScheduleError(
            #"unknown time zone "Asia/Jakata": use an IANA name like Asia/Jakarta, Europe/Berlin or UTC (the names are in /usr/share/zoneinfo, Debian package tzdata)"#
        )) {
            try TimeZone.iana("Asia/Jakata")
        }
        #expect(throws: ScheduleError.self) { try TimeZone.iana("") }
        #expect(throws: Never.self) { try TimeZone.iana("Europe/Berlin") }
    }
}
