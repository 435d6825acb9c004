import Foundation
import LuaKit
import LunasClock
import LunasSchedule
import Synchronization

/// One run's side of a rules file: the registration functions (`on`, `cron`, `every`, `job`)
/// and the timers (`after`, `at`), what they registered and set, and the gate that keeps the
/// top level from `scalev` and `kv`.
final class RuleRegistry: Sendable {
    /// The rules file's name, which derived rule names start with.
    let script: String
    /// The gate the run's `scalev` and `kv` check.
    let gate: TopLevelGate
    private let clock: any WallClock
    private let timerKey: String
    /// A rules run (``Runtime/loadRules(_:script:)``, or a rule call): the gate is closed for
    /// the whole top level. In an ordinary run it closes at the first registration.
    private let rulesRun: Bool
    private let state = Mutex(State())

    /// The registration functions' globals.
    static let registrations: Set<String> = ["on", "cron", "every", "job"]
    /// Every global the rules chunk installs.
    static let globals: Set<String> = registrations.union(["after", "at"])

    private struct State {
        var rules: [Rule] = []
        var functions: [String: LuaFunction] = [:]
        var timers: [RuleTimer] = []
        var inHandler = false
    }

    /// The registry of one run.
    init(script: String, clock: any WallClock, timerKey: String, rulesRun: Bool) {
        self.script = script
        self.clock = clock
        self.timerKey = timerKey
        self.rulesRun = rulesRun
        self.gate = TopLevelGate(closed: rulesRun)
    }

    /// What the top level registered, in order.
    var rules: [Rule] { state.withLock { $0.rules } }

    /// The timers set so far, in order.
    var timers: [RuleTimer] { state.withLock { $0.timers } }

    /// The function registered as `name`.
    func function(named name: String) -> LuaFunction? { state.withLock { $0.functions[name] } }

    /// The top level is over: the gate opens and timers may be set.
    func beginHandler() {
        state.withLock { $0.inHandler = true }
        gate.open()
    }

    /// Installs the registration and timer functions as globals of `luaState`.
    func install(in luaState: LuaState) throws {
        for function in Self.registrations.sorted() {
            luaState.register("__rules.\(function)") { [self] call in [.string(LuaString(try register(function, call)))] }
        }
        for function in ["after", "at"] {
            luaState.register("__rules.\(function)") { [self] call in [.string(LuaString(try setTimer(function, call)))] }
        }
        _ = try luaState.call(luaState.compile(Self.chunk, name: "=lunas.rules"))
    }

    /// The Lua side (chunk `=lunas.rules`, which error positions skip): on, cron, every and job
    /// are the host functions; after and at encode their args with the C codec first.
    static let chunk = """
        local raw, encode = rawget(_G, "__rules"), json.encode
        __rules = nil
        local pcall, error, tostring = pcall, error, tostring
        on, cron, every, job = raw.on, raw.cron, raw.every, raw.job
        local function args_of(name, args)
          if args == nil then return "{}" end
          local ok, text = pcall(encode, args)
          if not ok then error(name .. ": args cannot be stored as JSON: " .. tostring(text), 3) end
          return text
        end
        function after(duration, job_name, args, opts) return raw.after(duration, job_name, args_of("after", args), opts) end
        function at(time, job_name, args, opts) return raw.at(time, job_name, args_of("at", args), opts) end
        """

    /// `on(pattern, fn, opts)`, `cron(spec, fn, opts)`, `every(duration, fn, opts)`,
    /// `job(name, fn, opts)`: checks the spec and the options, names the rule, keeps its function.
    private func register(_ function: String, _ call: LuaCall) throws -> String {
        let line = call.callerLocation?.line ?? 0
        let first = try call.value(1)
        let kind: Rule.Kind
        switch function {
        case "on":
            guard let pattern = first.stringValue, !pattern.isEmpty else {
                throw RuleOptions.error(function, "the event pattern must be a non-empty string, like \"order.payment_status_changed\" or \"order.*\"; got \(RuleOptions.shown(first))")
            }
            kind = .event(pattern)
        case "cron":
            guard let text = first.stringValue else {
                throw RuleOptions.error(function, "the spec must be a string, like \"0 9 * * *\" or \"@daily\"; got \(RuleOptions.shown(first))")
            }
            do { kind = .cron(try CronSpec(parsing: text).source) } catch { throw RuleOptions.error(function, "\(error)") }
        case "every":
            _ = try RuleDuration.seconds(first, what: "every: the period")
            kind = .every(first.stringValue?.trimmingCharacters(in: .whitespaces) ?? "\(first.integerValue ?? 0)")
        default:
            guard let name = first.stringValue, !name.isEmpty else {
                throw RuleOptions.error(function, "the job's name must be a non-empty string, like \"follow_up\"; got \(RuleOptions.shown(first))")
            }
            kind = .job(name)
        }
        guard let handler = try? call.function(2) else {
            throw RuleOptions.error(function, "the handler (argument 2) must be a function, got \(RuleOptions.shown(try call.value(2)))")
        }
        let table: LuaTable
        switch try call.value(3) {
        case .nil: table = LuaTable()
        case .table(let given): table = given
        case let other: throw RuleOptions.error(function, "the options (argument 3) must be a table, like { name = \"...\" }; got \(RuleOptions.shown(other))")
        }
        let options = try RuleOptions(table, function: function)
        let name = try state.withLock { state in
            guard !state.inHandler else {
                throw RuleOptions.error(function, "rules are registered by the file's top level, not inside a handler")
            }
            let name: String
            if let given = options.name {
                if let other = state.rules.first(where: { $0.name == given }) {
                    throw RuleOptions.error(function, "the rule name '\(given)' is taken by the rule registered at line \(other.line): give each rule of a file its own name")
                }
                name = given
            } else {
                let base = "\(script):\(function):\(kind.spec)"
                var candidate = base, count = 1
                while state.rules.contains(where: { $0.name == candidate }) {
                    count += 1
                    candidate = "\(base)#\(count)"
                }
                name = candidate
            }
            state.rules.append(Rule(name: name, kind: kind, zone: options.zone, catchUp: options.catchUp, catchUpWindow: options.catchUpWindow,
                                    overlap: options.overlap, attempts: options.attempts, line: line))
            state.functions[name] = handler
            return name
        }
        if !rulesRun { gate.close() }
        return name
    }

    /// `after(duration, job_name, args, opts)` and `at(time, job_name, args, opts)` (args already
    /// JSON text): a timer for the run's result; its key.
    private func setTimer(_ function: String, _ call: LuaCall) throws -> String {
        guard state.withLock({ $0.inHandler }) else {
            throw RuleOptions.error(function, "a rules file's top level may not set timers (its time would not be deterministic): call \(function) inside a handler")
        }
        let due: Date
        if function == "after" {
            due = clock.now() + TimeInterval(try RuleDuration.seconds(call.value(1), what: "after: the delay"))
        } else {
            due = try Self.time(call.value(1))
        }
        let named = try call.value(2)
        guard let jobName = named.stringValue else {
            throw RuleOptions.error(function, "the job (argument 2) must be the name of a job() rule of this file, got \(RuleOptions.shown(named))")
        }
        let args = try call.string(3)
        var key: String?
        switch try call.value(4) {
        case .nil: break
        case .table(let options):
            for (name, value) in options.fields {
                guard name.stringValue == "key" else {
                    let hint = name.stringValue.flatMap { ScriptGlobals.nearest(to: $0, in: ["key"]) }.map { " (did you mean '\($0)'?)" } ?? ""
                    throw RuleOptions.error(function, "unknown option \(RuleOptions.shown(name))\(hint); \(function) takes key")
                }
                guard let text = value.stringValue ?? value.integerValue.map(String.init), !text.isEmpty else {
                    throw RuleOptions.error(function, "key must be a non-empty string, got \(RuleOptions.shown(value))")
                }
                key = text
            }
            if !options.array.isEmpty { throw RuleOptions.error(function, "the options are named, like { key = \"...\" }") }
        case let other:
            throw RuleOptions.error(function, "the options (argument 4) must be a table, like { key = \"...\" }; got \(RuleOptions.shown(other))")
        }
        return try state.withLock { state in
            let jobs = state.rules.filter { if case .job = $0.kind { true } else { false } }
            guard let rule = jobs.first(where: { $0.kind == .job(jobName) }) ?? jobs.first(where: { $0.name == jobName }) else {
                let known = jobs.isEmpty ? "it registers no job" : "its jobs: " + jobs.map(\.kind.spec).joined(separator: ", ")
                throw RuleOptions.error(function, "no job '\(jobName)' in \(script) (\(known)); register it with job(\"\(jobName)\", function(args) ... end)")
            }
            let key = key ?? "\(timerKey)#\(state.timers.count + 1)"
            state.timers.append(RuleTimer(job: rule.name, at: due, args: args, key: key))
            return key
        }
    }

    /// `at`'s time: epoch seconds, or ISO 8601 text with an offset.
    private static func time(_ value: LuaValue) throws -> Date {
        if let seconds = value.doubleValue, seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        if let text = value.stringValue {
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) { return date }
        }
        throw RuleOptions.error("at", "the time must be epoch seconds or ISO 8601 text like \"2026-03-01T09:00:00+07:00\"; got \(RuleOptions.shown(value))")
    }
}
