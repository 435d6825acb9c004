import ArgumentParser
import Foundation
import LunasSchedule
import LunasServe

extension SchedulesCommand {
    /// `lunas schedules list`: name, next fire, last outcome, paused.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules lunas serve fires: next fire, last outcome, paused.")
        @OptionGroup var target: RunnerTarget

        func run() async throws {
            try await target.with { data in
                let schedules = try await data.schedules()
                let now = Date()
                for schedule in schedules {
                    let spec = schedule.kind == "every" ? "every \(schedule.spec)" : schedule.spec
                    let zone = (try? TimeZone.iana(schedule.zone)) ?? .gmt
                    let next = (try? Next.recurrence(spec))?.next(after: now, in: zone).map { $0.iso8601(in: zone) } ?? "-"
                    var line = [schedule.name, spec, schedule.zone, "next \(schedule.paused ? "(paused)" : next)",
                                "last \(schedule.lastOutcome ?? "-")"]
                    if schedule.paused { line.append("paused") }
                    if schedule.missed > 0 { line.append("missed \(schedule.missed)") }
                    if schedule.overlapSkipped > 0 { line.append("skipped (overlap) \(schedule.overlapSkipped)") }
                    print(line.joined(separator: "  "))
                }
                if schedules.isEmpty { FileHandle.standardError.write(Data("lunas schedules: none yet (lunas serve records them when it loads the rules)\n".utf8)) }
            }
        }
    }

    /// `lunas schedules pause NAME`.
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: its slots pass without runs until it is resumed.")
        @OptionGroup var target: RunnerTarget
        @Argument(help: "The schedule's name (lunas schedules list).") var name: String

        func run() async throws { try await setPaused(target, name, true) }
    }

    /// `lunas schedules resume NAME`.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused schedule from its next slot (the paused ones are not caught up).")
        @OptionGroup var target: RunnerTarget
        @Argument(help: "The schedule's name (lunas schedules list).") var name: String

        func run() async throws { try await setPaused(target, name, false) }
    }
}

private func setPaused(_ target: RunnerTarget, _ name: String, _ paused: Bool) async throws {
    try await target.with { data in
        guard try await data.setPaused(name, paused: paused) else {
            let names = try await data.schedules().map(\.name)
            let hint = names.isEmpty ? "there are none yet" : "known: \(names.joined(separator: ", "))"
            throw RunnerTarget.Missing("there is no schedule '\(name)' (\(hint))")
        }
        print("\(name): \(paused ? "paused" : "resumed")")
    }
}
