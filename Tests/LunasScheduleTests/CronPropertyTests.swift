import Foundation
import LunasSchedule
import Testing

/// Random specs against a reference that walks every minute: the fire times must be exactly the
/// reference's, strictly increasing, each matching the spec (or closing a spring gap).
@Suite("cron specs: random specs against a minute-by-minute reference")
struct CronPropertyTests {
    /// A random field: `*`, `*/n`, `a`, `a-b`, `a-b/n` or a list of them, within `range`.
    static func field(_ range: ClosedRange<Int>, _ random: inout SeededGenerator, sparse: Bool = false) -> String {
        if sparse && Int.random(in: 0..<3, using: &random) > 0 { return "*" }
        let items = (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in
            let a = Int.random(in: range, using: &random)
            let b = Int.random(in: a...range.upperBound, using: &random)
            let step = Int.random(in: 1...max(1, (range.upperBound - range.lowerBound) / 3), using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: return "*"
            case 1: return "*/\(step)"
            case 2, 3: return "\(a)"
            case 4: return "\(a)-\(b)"
            default: return "\(a)-\(b)/\(step)"
            }
        }
        return items.joined(separator: ",")
    }

    static func spec(_ random: inout SeededGenerator) -> String {
        [
            field(0...59, &random), field(0...23, &random), field(1...31, &random, sparse: true),
            field(1...12, &random, sparse: true), field(0...7, &random, sparse: true),
        ].joined(separator: " ")
    }

    /// The fire times in (start, end], minute by minute: a wall minute that matches fires unless it
    /// repeats one already passed and the hour is fixed; a spring gap with a matching wall minute
    /// fires once at the gap's end. (Whole-hour DST shifts, as in the zones tested.)
    static func reference(_ spec: CronSpec, in zone: TimeZone, start: Int64, end: Int64) -> [Date] {
        let utc = TimeZone(secondsFromGMT: 0) ?? zone
        func offset(_ instant: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))) }
        func wallMatches(_ wall: Int64) -> Bool { spec.matches(Date(timeIntervalSince1970: TimeInterval(wall)), in: utc) }
        var fires: [Date] = []
        var instant = start - start % 60 + 60
        while instant <= end {
            let now = offset(instant), before = offset(instant - 60)
            var fire = wallMatches(instant + now)
            if fire, !spec.repeatsInOverlap, offset(instant - 3600) == now + 3600 { fire = false }
            if now > before {
                for wall in stride(from: instant - 60 + before + 60, to: instant + now, by: 60) where wallMatches(wall) { fire = true }
            }
            if fire { fires.append(Date(timeIntervalSince1970: TimeInterval(instant))) }
            instant += 60
        }
        return fires
    }

    @Test("near DST transitions and far from them, the fires are the reference's", arguments: [
        ("Europe/Berlin", "2026-03-28T20:00:00+01:00"), ("Europe/Berlin", "2026-10-24T20:00:00+02:00"),
        ("America/New_York", "2026-03-07T20:00:00-05:00"), ("America/New_York", "2026-10-31T20:00:00-04:00"),
        ("Asia/Jakarta", "2026-12-02T14:45:00+07:00"),
    ])
    func matchesReference(zoneName: String, from: String) throws {
        let zone = try zone(zoneName)
        let start = Int64(try instant(from).timeIntervalSince1970)
        let end = start + 36 * 3600
        var random = SeededGenerator(seed: UInt64(truncatingIfNeeded: start))
        var compared = 0, fired = 0
        for _ in 0..<40 {
            let text = Self.spec(&random)
            guard let spec = try? CronSpec(parsing: text) else { continue }
            let expected = Self.reference(spec, in: zone, start: start, end: end)
            compared += 1
            fired += expected.count
            let actual = Array(spec.fires(after: Date(timeIntervalSince1970: TimeInterval(start)), in: zone)
                .prefix { $0.timeIntervalSince1970 <= TimeInterval(end) })
            #expect(actual == expected, "\(text) in \(zoneName) from \(from)")
        }
        // the random specs are not all unparsable or silent
        #expect(compared >= 30)
        #expect(fired >= 500)
    }

    @Test("over months, fires strictly increase and each matches the spec (Asia/Jakarta)")
    func increasingAndMatching() throws {
        let zone = try zone("Asia/Jakarta")
        var random = SeededGenerator(seed: 14)
        var start = try instant("2026-12-02T14:45:00+07:00")
        for _ in 0..<200 {
            let text = Self.spec(&random)
            guard let spec = try? CronSpec(parsing: text) else { continue }
            var last = start
            for fire in spec.fires(after: start, in: zone).prefix(50) {
                #expect(fire > last, "\(text): \(fire.iso8601(in: zone)) after \(last.iso8601(in: zone))")
                #expect(spec.matches(fire, in: zone), "\(text): \(fire.iso8601(in: zone))")
                last = fire
            }
            start = start.addingTimeInterval(TimeInterval(Int.random(in: 0...86_400 * 40, using: &random)))
        }
    }
}
