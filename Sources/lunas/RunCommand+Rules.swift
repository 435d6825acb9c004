import Foundation
import LunasRuntime
import LunasSchedule
import ScalevModel

/// `lunas run` on a rules file: the listing of what it registers, and `--event` / `--schedule`,
/// each a rule run of the file's loaded source, as the runner would make it.
extension RunCommand {
    /// What `lunas run FILE` prints after a rules file's top level ran: one line per rule (name,
    /// kind, spec, the options that differ from the defaults), then the commands to try one.
    func listing(_ rules: [Rule]) -> String {
        let width = rules.map(\.name.count).max() ?? 0
        var text = "\(file) registers \(rules.count) rule\(rules.count == 1 ? "" : "s"):\n"
        for rule in rules {
            let name = rule.name + String(repeating: " ", count: width - rule.name.count)
            let kind = rule.kind.function + String(repeating: " ", count: 5 - rule.kind.function.count)
            let options = rule.optionsDescription
            text += "  \(name)  \(kind)  \(rule.kind.spec)\(options.isEmpty ? "" : "  " + options)\n"
        }
        let flags = sandbox ? " --sandbox" : ""
        var commands: [String] = []
        for rule in rules {
            switch rule.kind {
            case .event(let pattern):
                commands.append("lunas run\(flags) \(file) --event \(Self.example(of: pattern)) --payload event.json")
            case .cron, .every:
                commands.append("lunas run\(flags) \(file) --schedule '\(rule.name)'")
            case .job:
                break
            }
        }
        var seen = Set<String>()
        commands = commands.filter { seen.insert($0).inserted }
        if !commands.isEmpty {
            text += "try one:\n" + commands.map { "  \($0)\n" }.joined()
        }
        return text
    }

    /// An event name a pattern matches: itself, or with `*` filled in.
    static func example(of pattern: String) -> String {
        pattern == "*" ? "order.created" : pattern.replacingOccurrences(of: "*", with: "created")
    }

    /// Loads the rules file and runs the rules `--event` or `--schedule` names, one run each;
    /// the first run that did not end well (or the last), or a rejection saying what to fix.
    func runRules(_ request: RunRequest, runtime: Runtime) async -> RunResult {
        func rejected(_ message: String) -> RunResult { RunResult(outcome: .rejected(message), duration: .zero, peakMemory: 0) }
        let script = request.script.map { $0.hasSuffix(".lua") ? String(($0 as NSString).lastPathComponent.dropLast(4)) : $0 } ?? file
        let flag = event != nil ? "--event" : "--schedule"
        let rules: RuleSet
        switch await runtime.loadRules(request, script: script) {
        case .success(let loaded): rules = loaded
        case .failure(.noRules):
            return rejected("\(flag) runs a rule of a rules file, and \(file) registers none (a rules file's top level calls on, cron, every or job): run it without \(flag)")
        case .failure(.load(let outcome)):
            return RunResult(outcome: outcome, duration: .zero, peakMemory: 0)
        }
        let zone = (try? TimeZone.iana(runtime.configuration.lunas.timeZone ?? "Asia/Jakarta")) ?? TimeZone(secondsFromGMT: 0) ?? .current
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var calls: [RuleCall] = []
        if let schedule {
            let schedules = rules.schedules
            guard let rule = schedules.first(where: { $0.name == schedule }) else {
                let names = schedules.map(\.name)
                let hint = ScriptGlobals.nearest(to: schedule, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                let known = names.isEmpty ? "it registers no cron or every rule" : "its schedules: " + names.joined(separator: ", ")
                return rejected("--schedule: \(file) has no schedule '\(schedule)'\(hint); \(known)")
            }
            let ruleZone = rule.zone.flatMap { try? TimeZone.iana($0) } ?? zone
            let fire: LuaValue = [
                "scheduled": .string(LuaString(now.iso8601(in: ruleZone))), "scheduled_epoch": .integer(Int64(now.timeIntervalSince1970)),
                "catch_up": false, "name": .string(LuaString(rule.name)),
            ]
            calls = [RuleCall(name: rule.name, input: [fire], timerKey: "lunas-run")]
        } else if let event {
            let input: LuaValue
            do {
                input = try eventTable(event, now: now, zone: zone)
            } catch {
                return rejected("\(error)")
            }
            let matching = rules.rules(matching: event)
            if matching.isEmpty {
                let patterns = rules.rules.compactMap { if case .event(let pattern) = $0.kind { pattern } else { nil } }
                let known = patterns.isEmpty ? "it registers no on() rule" : "its patterns: " + patterns.joined(separator: ", ")
                request.output.notice("lunas: no rule of \(file) matches the event '\(event)' (\(known)); nothing ran\n")
                return RunResult(outcome: .ok([]), duration: .zero, peakMemory: 0)
            }
            calls = matching.map { RuleCall(name: $0.name, input: [input], timerKey: "lunas-run") }
        }
        var last = RunResult(outcome: .ok([]), duration: .zero, peakMemory: 0)
        for call in calls {
            var run = request
            run.source = .snapshot(rules.source, file: rules.file)
            run.rule = call
            if calls.count > 1 { request.output.notice("lunas: \(call.name)\n") }
            last = await runtime.run(run)
            for timer in last.timers {
                request.output.notice("lunas: would schedule \(timer.job) at \(timer.at.iso8601(in: zone)): \(timer.args) (key \(timer.key); lunas run has no runner: lunas serve runs it)\n")
            }
            guard case .ok = last.outcome else { return last }
        }
        return last
    }

    /// The event `--event` and `--payload` describe, as a handler gets it: `{ event, unique_id,
    /// timestamp, data }` around the payload, or the payload itself when it is a whole webhook body.
    private func eventTable(_ event: String, now: Date, zone: TimeZone) throws -> LuaValue {
        var data = JSON.object([:])
        if let payload {
            guard let bytes = FileManager.default.contents(atPath: payload) else {
                throw ValidationFailure("--payload: cannot read \(payload): no such file, or not readable")
            }
            do {
                data = try JSON(parsing: [UInt8](bytes))
            } catch {
                throw ValidationFailure("--payload: \(payload) is not JSON (\(error)): give the event's data, or a whole webhook body")
            }
        }
        if case .string(let named) = data["event"], data["data"] != .null {
            guard named == event else {
                throw ValidationFailure("--payload: \(payload ?? "") is the body of a '\(named)' event, and --event says '\(event)': give --event \(named)")
            }
            return try LuaValue(encoding: data)
        }
        let body = JSON.object([
            "event": .string(event), "unique_id": .string("event_lunas_run_\(Int64(now.timeIntervalSince1970))"),
            "timestamp": .string(now.iso8601(in: zone)), "data": data,
        ])
        return try LuaValue(encoding: body)
    }
}
