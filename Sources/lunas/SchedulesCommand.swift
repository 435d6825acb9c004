import ArgumentParser
import Foundation
import LunasRuntime
import LunasSchedule

/// `lunas schedules`: check a schedule's spec before a rules file relies on it.
struct SchedulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Check schedule specs; list, pause and resume the schedules of lunas serve.",
        subcommands: [Next.self, List.self, Pause.self, Resume.self])

    /// `lunas schedules next SPEC [--zone Z] [--from ISO8601] [--count N]`.
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next fire times of a spec, one ISO 8601 instant with its offset a line.",
            discussion: """
                SPEC is a five-field cron spec (minute hour day-of-month month day-of-week), an
                @macro (@hourly @daily @weekly @monthly @yearly), or `every 15m` (s, m, h, d;
                aligned to the Unix epoch). When both day fields are restricted, either matches.
                DST: slots in a spring gap run once at the gap's end; in an autumn overlap a spec
                with fixed hours fires once, one with * or a step in the hour fires in both.

                Examples:
                  lunas schedules next "0 9 * * MON-FRI"
                  lunas schedules next "30 2 * * *" --zone Europe/Berlin --from 2026-03-28T00:00:00+01:00
                  lunas schedules next @monthly --count 3
                  lunas schedules next every 15m
                """)

        @Argument(help: "The spec; quote a cron spec (\"0 9 * * *\") or give its fields as separate words.")
        var spec: [String]

        @Option(help: "The IANA time zone the spec is read in (default: lunas.toml's time_zone, else Asia/Jakarta).")
        var zone: String?

        @Option(help: "The configuration file (default: lunas.toml when present).")
        var config: String?

        @Option(help: "Fire times after this instant, ISO 8601 with an offset: 2026-12-03T09:00:00+07:00 (default: now).")
        var from: String?

        @Option(help: "How many fire times to print (1-10000).")
        var count: Int = 5

        func run() throws {
            let configured: String?
            do {
                configured = zone == nil ? try LunasConfiguration.load(path: config).timeZone : nil
            } catch {
                FileHandle.standardError.write(Data("lunas schedules next: \(error)\n".utf8))
                throw ExitCode(2)
            }
            do {
                let zone = try TimeZone.iana(self.zone ?? configured ?? "Asia/Jakarta")
                let start = try from.map(Self.instant) ?? Date()
                guard (1...10_000).contains(count) else {
                    throw ScheduleError("--count \(count): must be 1-10000")
                }
                let fires = try Self.recurrence(spec.joined(separator: " ")).next(after: start, in: zone, count: count)
                print(fires.map { $0.iso8601(in: zone) }.joined(separator: "\n"))
            } catch let error as ScheduleError {
                FileHandle.standardError.write(Data("lunas schedules next: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }

        /// A cron spec or macro, or `every D` (`every:D`).
        static func recurrence(_ text: String) throws(ScheduleError) -> any Recurrence {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            for prefix in ["every:", "every "] where trimmed.lowercased().hasPrefix(prefix) {
                return try EverySpec(parsing: String(trimmed.dropFirst(prefix.count)))
            }
            return try CronSpec(parsing: trimmed)
        }

        static func instant(_ text: String) throws(ScheduleError) -> Date {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
            throw ScheduleError("--from \"\(text)\": use an ISO 8601 instant with its offset, like 2026-12-03T09:00:00+07:00")
        }
    }
}
