import Foundation
import LunasSchedule
import Testing

@Suite("every: aligned durations")
struct EverySpecTests {
    @Test("units s m h d, and seconds as a bare number", arguments: [
        ("90s", Int64(90)), ("15m", 900), ("2h", 7200), ("1d", 86_400), ("30", 30), ("15M", 900),
    ])
    func units(text: String, seconds: Int64) throws {
        #expect(try EverySpec(parsing: text).seconds == seconds)
    }

    @Test("fires at multiples of the period since the epoch, not after the start")
    func aligned() throws {
        let zone = try zone("Asia/Jakarta")
        let spec = try EverySpec(parsing: "15m")
        let fires = spec.next(after: try instant("2026-12-02T14:44:10+07:00"), in: zone, count: 3)
        #expect(fires.map { $0.iso8601(in: zone) } == [
            "2026-12-02T14:45:00+07:00", "2026-12-02T15:00:00+07:00", "2026-12-02T15:15:00+07:00",
        ])
        // on a multiple, the next one
        #expect(spec.next(after: try instant("2026-12-02T15:00:00+07:00"))?.iso8601(in: zone) == "2026-12-02T15:15:00+07:00")
        // 7h does not divide a day: aligned to the epoch, not to midnight
        #expect(try EverySpec(parsing: "7h").next(after: Date(timeIntervalSince1970: 0))?.timeIntervalSince1970 == 25_200)
        #expect(try EverySpec(parsing: "1d").next(after: try instant("2026-12-02T14:44:10+07:00"))?.iso8601(in: zone)
            == "2026-12-03T07:00:00+07:00")
    }

    @Test("the zone changes nothing, DST included")
    func zoneIndependent() throws {
        let spec = try EverySpec(parsing: "1h")
        let start = try instant("2026-10-25T00:10:00+02:00")
        let berlinZone = try zone("Europe/Berlin")
        let berlin = spec.next(after: start, in: berlinZone, count: 4)
        #expect(berlin == spec.next(after: start, in: try zone("Asia/Jakarta"), count: 4))
        #expect(berlin.map { $0.iso8601(in: berlinZone) } == [
            "2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00",
            "2026-10-25T03:00:00+01:00",
        ])
    }

    @Test("bad durations say what is accepted", arguments: [
        ("15x", #"every "15x": use a whole number with a unit s, m, h or d (like "15m"), or seconds as a number"#),
        ("m", #"every "m": use a whole number with a unit s, m, h or d (like "15m"), or seconds as a number"#),
        ("1.5h", #"every "1.5h": use a whole number with a unit s, m, h or d (like "15m"), or seconds as a number"#),
        ("", #"every "": use a whole number with a unit s, m, h or d (like "15m"), or seconds as a number"#),
        ("0m", #"every "0m": the period must be at least 1 second and at most 106751991167300 days"#),
    ])
    func errors(text: String, message: String) {
        #expect(throws: ScheduleError(message)) { try EverySpec(parsing: text) }
    }
}
