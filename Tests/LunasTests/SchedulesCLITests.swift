import Foundation
import Testing

@Suite("lunas schedules next")
struct SchedulesCLITests {
    @Test("prints the next fire times in the zone, one ISO 8601 instant with offset a line")
    func nextInJakarta() async throws {
        let outcome = try await LunasProcess.run(["schedules", "next", "0 9 * * *", "--from", "2026-12-02T14:45:00+07:00", "--count", "3"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "2026-12-03T09:00:00+07:00\n2026-12-04T09:00:00+07:00\n2026-12-05T09:00:00+07:00\n")
        #expect(outcome.stderr == "")
    }

    @Test("five by default, Asia/Jakarta by default; fields may come as separate words")
    func defaults() async throws {
        let outcome = try await LunasProcess.run(["schedules", "next", "0", "9", "1", "*", "MON", "--from", "2026-12-02T07:45:00Z"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == """
            2026-12-07T09:00:00+07:00
            2026-12-14T09:00:00+07:00
            2026-12-21T09:00:00+07:00
            2026-12-28T09:00:00+07:00
            2027-01-01T09:00:00+07:00

            """)
    }

    @Test("--zone with DST: the spring gap's slot runs once at 03:00 CEST")
    func berlinSpring() async throws {
        let outcome = try await LunasProcess.run([
            "schedules", "next", "30 2 * * *", "--zone", "Europe/Berlin", "--from", "2026-03-28T00:00:00+01:00", "--count", "3",
        ])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "2026-03-28T02:30:00+01:00\n2026-03-29T03:00:00+02:00\n2026-03-30T02:30:00+02:00\n")
    }

    @Test("@macros and every durations")
    func macrosAndEvery() async throws {
        let monthly = try await LunasProcess.run(["schedules", "next", "@monthly", "--from", "2026-12-02T14:45:00+07:00", "--count", "2"])
        #expect(monthly.status == 0)
        #expect(monthly.stdout == "2027-01-01T00:00:00+07:00\n2027-02-01T00:00:00+07:00\n")
        let every = try await LunasProcess.run(["schedules", "next", "every 15m", "--from", "2026-12-02T14:44:10+07:00", "--count", "2"])
        #expect(every.status == 0)
        #expect(every.stdout == "2026-12-02T14:45:00+07:00\n2026-12-02T15:00:00+07:00\n")
    }

    @Test("the configuration's time_zone is the default zone; --zone overrides it")
    func configuredZone() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-schedules-\(UUID().uuidString).toml")
        try "time_zone = \"Europe/Berlin\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configured = try await LunasProcess.run(["schedules", "next", "@daily", "--config", file.path, "--from", "2026-12-02T12:00:00Z", "--count", "1"])
        #expect(configured.status == 0)
        #expect(configured.stdout == "2026-12-03T00:00:00+01:00\n")
        let overridden = try await LunasProcess.run([
            "schedules", "next", "@daily", "--config", file.path, "--zone", "UTC", "--from", "2026-12-02T12:00:00Z", "--count", "1",
        ])
        #expect(overridden.stdout == "2026-12-03T00:00:00+00:00\n")
    }

    @Test("a bad spec, zone or --from: what to fix on stderr, exit 2")
    func errors() async throws {
        let spec = try await LunasProcess.run(["schedules", "next", "61 * * * *"])
        #expect(spec.status == 2)
        #expect(spec.stdout == "")
        #expect(spec.stderr == "lunas schedules next: minute field \"61\": must be 0-59\n")
        let zone = try await LunasProcess.run(["schedules", "next", "@daily", "--zone", "Mars/Olympus"])
        #expect(zone.status == 2)
        #expect(zone.stderr.hasPrefix("lunas schedules next: unknown time zone \"Mars/Olympus\": use an IANA name like Asia/Jakarta"))
        let from = try await LunasProcess.run(["schedules", "next", "@daily", "--from", "yesterday"])
        #expect(from.status == 2)
        #expect(from.stderr == "lunas schedules next: --from \"yesterday\": use an ISO 8601 instant with its offset, like 2026-12-03T09:00:00+07:00\n")
    }
}
