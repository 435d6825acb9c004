import Foundation
import LuaKit
import LunasClock
import LunasSchedule
import ScalevModel
import Synchronization

/// The host side of one spec file's fixtures, installed as the module `__spec` that
/// `stdlib/lunas/test.lua` wraps: the tests' reports, the sandbox's reset, the rules files the
/// spec loaded and the queue of the durable timers their handlers set, ordered by due time.
///
/// Every handler the spec runs (`t.rules.emit`, `fire`, `advance`) and every script (`t.run`)
/// is a real run through the public ``Runtime`` — a fresh state, the file's top level
/// registering again, the sandbox's credentials, the file's `kv` namespace — as `lunas serve`
/// and `lunas run` make them.
final class SpecSession: Sendable {
    /// The module's global.
    static let global = "__spec"

    let runtime: Runtime
    let clock: VirtualClock
    let sandbox: SpecSandbox
    let specFile: String
    let output: ScriptOutput
    let limits: LuaLimits
    let onTest: @Sendable (SpecTestResult) -> Void
    private let state: Mutex<State>

    private struct State {
        var results: [SpecTestResult] = []
        var lastReport: ContinuousClock.Instant
        /// The rules files loaded, in the order loaded (a file loaded again keeps its place).
        var rules: [RuleSet] = []
        /// Timers not yet run, in the order set; run in order of (due, order set).
        var timers: [Pending] = []
        /// Every timer key set so far, by file (`script|key`): a key is set once, as the runner's
        /// unique index keeps it.
        var keys: Set<String> = []
        var sequence = 0
    }

    private struct Pending {
        var script: String
        var timer: RuleTimer
        var sequence: Int
    }

    init(runtime: Runtime, clock: VirtualClock, sandbox: SpecSandbox, specFile: String, output: ScriptOutput, limits: LuaLimits,
         onTest: @escaping @Sendable (SpecTestResult) -> Void) {
        self.runtime = runtime
        self.clock = clock
        self.sandbox = sandbox
        self.specFile = specFile
        self.output = output
        self.limits = limits
        self.onTest = onTest
        self.state = Mutex(State(lastReport: .now))
    }

    /// The tests reported so far.
    var results: [SpecTestResult] { state.withLock { $0.results } }

    /// The module: `__spec.report(result)`, `.filter`, `.file`, `.reset()`, `.load(path)`,
    /// `.clear()`, `.emit(event, data_json)`, `.fire(name)`, `.advance(duration)`, `.timers()`,
    /// `.run(path, args)`.
    func module(filter: String?) -> HostModule {
        HostModule(Self.global)
            .constant("file", LuaValue(specFile))
            .constant("filter", filter.map { LuaValue($0) } ?? .nil)
            .function("began") { [self] _ in
                state.withLock { $0.lastReport = .now }
                return []
            }
            .function("report") { [self] call in
                report(try call.table(1))
                return []
            }
            .asyncFunction("reset") { [self] _ in
                try await sandbox.reset()
                return []
            }
            .asyncFunction("load") { [self] arguments in try await load(arguments.first?.stringValue) }
            .function("clear") { [self] _ in
                state.withLock { state in
                    state.rules = []
                    state.timers = []
                }
                return []
            }
            .asyncFunction("emit") { [self] arguments in
                try await emit(arguments.first?.stringValue, data: arguments.count > 1 ? arguments[1].stringValue : nil)
            }
            .asyncFunction("fire") { [self] arguments in try await fire(arguments.first?.stringValue) }
            .asyncFunction("advance") { [self] arguments in try await advance(arguments.first ?? .nil) }
            .function("timers") { [self] _ in [pendingTimers()] }
            .asyncFunction("run") { [self] arguments in
                try await run(arguments.first?.stringValue, arguments: arguments.count > 1 ? arguments[1] : .nil)
            }
    }

    // MARK: Reports

    private func report(_ table: LuaTable) {
        let value = LuaValue.table(table)
        let name = value["name"].stringValue ?? "?"
        let failure = value["ok"].isTruthy ? nil : Self.failure(from: table) ?? SpecFailure(message: "failed")
        let result = state.withLock { state in
            let now = ContinuousClock.now
            let result = SpecTestResult(name: name, failure: failure, duration: now - state.lastReport)
            state.lastReport = now
            state.results.append(result)
            return result
        }
        onTest(result)
    }

    /// A failure's fields from the table `lunas.test` reports or raises.
    static func failure(from table: LuaTable) -> SpecFailure? {
        let value = LuaValue.table(table)
        guard let message = value["message"].stringValue else { return nil }
        return SpecFailure(message: message, location: value["location"].stringValue,
                           expected: value["expected"].stringValue, actual: value["actual"].stringValue)
    }

    // MARK: Rules

    /// `t.rules.load(path)`: the file's rules, replacing an earlier load of the same file; their names.
    private func load(_ path: String?) async throws -> [LuaValue] {
        guard let path, !path.isEmpty else { throw Self.error("t.rules.load", "give the path of a rules file, like \"rules/paid_orders.lua\"") }
        let file = try resolve(path, function: "t.rules.load")
        let script = Self.scriptName(of: file)
        var request = RunRequest(source: .file(file), options: ScriptOptions(limits: limits), output: output,
                                 credentials: .sandbox(sandbox.account))
        request.options.namespace = script
        request.script = script
        switch await runtime.loadRules(request, script: script) {
        case .success(let set):
            state.withLock { state in
                if let index = state.rules.firstIndex(where: { $0.script == script }) { state.rules[index] = set } else { state.rules.append(set) }
            }
            return [.table(LuaTable(array: set.rules.map { LuaValue($0.name) }))]
        case .failure(let error):
            throw Self.error("t.rules.load", "\(error)")
        }
    }

    /// `t.rules.emit(event, data)`: every `on` rule of the loaded files that matches, one run each.
    private func emit(_ event: String?, data text: String?) async throws -> [LuaValue] {
        guard let event, !event.isEmpty, !event.contains("*") else {
            throw Self.error("t.rules.emit", "give an event's name, like \"order.payment_status_changed\" (not a pattern)")
        }
        let sets = try loaded("t.rules.emit")
        var data = JSON.object([:])
        if let text { data = try JSON(parsing: Array(text.utf8)) }
        let body: JSON
        if case .string(let named) = data["event"], data["data"] != .null {
            guard named == event else {
                throw Self.error("t.rules.emit", "the data is the body of a '\(named)' event, not of '\(event)'")
            }
            body = data
        } else {
            let number = state.withLock { state in
                state.sequence += 1
                return state.sequence
            }
            body = .object([
                "event": .string(event), "unique_id": .string("evt_spec_\(number)"),
                "timestamp": .string(clock.now().iso8601(in: zone(nil))), "data": data,
            ])
        }
        var runs: [LuaValue] = []
        for set in sets {
            for rule in set.rules(matching: event) {
                runs.append(await call(set, rule: rule.name, input: body.luaValue))
            }
        }
        return [.table(LuaTable(array: runs))]
    }

    /// `t.rules.fire(name)`: the `cron` or `every` rule of that name (or spec), now.
    private func fire(_ name: String?) async throws -> [LuaValue] {
        guard let name, !name.isEmpty else { throw Self.error("t.rules.fire", "give a schedule's name, like \"daily_report\"") }
        let sets = try loaded("t.rules.fire")
        let schedules = sets.flatMap { set in set.schedules.map { (set, $0) } }
        var found = schedules.filter { $0.1.name == name }
        if found.isEmpty { found = schedules.filter { $0.1.kind.spec == name } }
        guard found.count == 1, let (set, rule) = found.first else {
            let names = schedules.map(\.1.name)
            if found.count > 1 {
                throw Self.error("t.rules.fire", "'\(name)' is the spec of \(found.count) schedules; name one: \(found.map(\.1.name).joined(separator: ", "))")
            }
            let hint = ScriptGlobals.nearest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            let known = names.isEmpty ? "the loaded rules register no cron or every rule" : "the schedules: " + names.joined(separator: ", ")
            throw Self.error("t.rules.fire", "no schedule '\(name)'\(hint); \(known)")
        }
        let now = Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
        let fire: LuaValue = [
            "scheduled": LuaValue(now.iso8601(in: zone(rule.zone))), "scheduled_epoch": .integer(Int64(now.timeIntervalSince1970)),
            "catch_up": false, "name": LuaValue(rule.name),
        ]
        return [.table(LuaTable(array: [await call(set, rule: rule.name, input: fire)]))]
    }

    /// `t.rules.advance(duration)`: moves the clock, running each timer that falls due at its
    /// due time (timers those runs set run too, if due before the end); the runs, in order.
    private func advance(_ value: LuaValue) async throws -> [LuaValue] {
        let seconds: Int64
        if value.integerValue == 0 {
            seconds = 0
        } else {
            do { seconds = try RuleDuration.seconds(value, what: "t.rules.advance: the time") } catch let error as LuaError { throw Self.error(nil, error.message) }
        }
        let end = clock.now().addingTimeInterval(TimeInterval(seconds))
        var runs: [LuaValue] = []
        while let next = takeDue(by: end) {
            clock.advance(to: next.timer.at)
            guard let set = state.withLock({ state in state.rules.first { $0.script == next.script } }) else { continue }
            let args = (try? JSON(parsing: Array(next.timer.args.utf8))) ?? .object([:])
            var run = await call(set, rule: next.timer.job, input: args.luaValue)
            if case .table(var table) = run {
                table[.string("at")] = LuaValue(next.timer.at.iso8601(in: zone(nil)))
                table[.string("key")] = LuaValue(next.timer.key)
                run = .table(table)
            }
            runs.append(run)
        }
        clock.advance(to: end)
        return [.table(LuaTable(array: runs))]
    }

    /// The first timer due by `end` (earliest due, then earliest set), taken off the queue.
    private func takeDue(by end: Date) -> Pending? {
        state.withLock { state in
            let due = state.timers.enumerated().filter { $0.element.timer.at <= end }
            guard let first = due.min(by: { ($0.element.timer.at, $0.element.sequence) < ($1.element.timer.at, $1.element.sequence) }) else { return nil }
            state.timers.remove(at: first.offset)
            return first.element
        }
    }

    /// The timers not yet run, by due time: `{ job, at (ISO 8601), epoch, args (JSON text), key }`.
    private func pendingTimers() -> LuaValue {
        let pending = state.withLock { $0.timers }.sorted { ($0.timer.at, $0.sequence) < ($1.timer.at, $1.sequence) }
        return .table(LuaTable(array: pending.map { entry in
            [
                "job": LuaValue(entry.timer.job), "at": LuaValue(entry.timer.at.iso8601(in: zone(nil))),
                "epoch": .integer(Int64(entry.timer.at.timeIntervalSince1970.rounded(.down))),
                "args": LuaValue(entry.timer.args), "key": LuaValue(entry.timer.key), "script": LuaValue(entry.script),
            ]
        }))
    }

    /// One rule run of `set`: `{ rule, ok, error?, timers }`; the timers it set are queued.
    private func call(_ set: RuleSet, rule: String, input: LuaValue) async -> LuaValue {
        let number = state.withLock { state in
            state.sequence += 1
            return state.sequence
        }
        var request = RunRequest(source: .snapshot(set.source, file: set.file), options: ScriptOptions(limits: limits), output: output,
                                 credentials: .sandbox(sandbox.account))
        request.options.namespace = set.script
        request.script = set.script
        request.rule = RuleCall(name: rule, input: [input], timerKey: "spec-\(number)")
        let result = await runtime.run(request)
        var queued = 0
        if case .ok = result.outcome {
            // as the runner does: a run's timers are enqueued when it succeeded
            queued = state.withLock { state in
                var count = 0
                for timer in result.timers where state.keys.insert("\(set.script)|\(timer.key)").inserted {
                    state.sequence += 1
                    state.timers.append(Pending(script: set.script, timer: timer, sequence: state.sequence))
                    count += 1
                }
                return count
            }
        }
        var table = LuaTable(fields: ["rule": LuaValue(rule), "script": LuaValue(set.script), "timers": .integer(Int64(queued))])
        table[.string("ok")] = .boolean(Self.succeeded(result.outcome))
        if let message = Self.message(of: result.outcome) { table[.string("error")] = LuaValue(message) }
        return .table(table)
    }

    private func loaded(_ function: String) throws -> [RuleSet] {
        let sets = state.withLock { $0.rules }
        guard !sets.isEmpty else { throw Self.error(function, "no rules file is loaded: call t.rules.load(\"path/to/rules.lua\") first") }
        return sets
    }

    // MARK: Scripts

    /// `t.run(path, args)`: the script run once, as `lunas run --sandbox` runs it (a fresh state,
    /// the sandbox's credentials, the script's `kv` namespace); `{ ok, error?, output, values }`.
    private func run(_ path: String?, arguments: LuaValue) async throws -> [LuaValue] {
        guard let path, !path.isEmpty else { throw Self.error("t.run", "give the path of a script, like \"scripts/tag_vip_orders.lua\"") }
        let file = try resolve(path, function: "t.run")
        let script = Self.scriptName(of: file)
        var options = ScriptOptions(limits: limits)
        options.namespace = script
        options.arguments = (arguments.tableValue?.array ?? []).map { $0.stringValue ?? $0.description }
        let printed = RunTranscript()
        let output = self.output
        let both = ScriptOutput { record in
            if record.kind == .print { printed.output.write(record) } else { output.write(record) }
        }
        var request = RunRequest(source: .file(file), options: options, output: both, credentials: .sandbox(sandbox.account))
        request.script = script
        let result = await runtime.run(request)
        var table = LuaTable(fields: ["output": LuaValue(printed.text(of: .print))])
        table[.string("ok")] = .boolean(Self.succeeded(result.outcome))
        if let message = Self.message(of: result.outcome) { table[.string("error")] = LuaValue(message) }
        if case .ok(let values) = result.outcome { table[.string("values")] = .table(LuaTable(array: values.map(Self.data))) }
        return [.table(table)]
    }

    /// A value of another run as plain data: functions, threads and userdata as their type names.
    private static func data(_ value: LuaValue) -> LuaValue {
        switch value {
        case .reference(let reference): return LuaValue(reference.kind.rawValue)
        case .table(let table):
            var copy = LuaTable()
            copy.isArray = table.isArray
            copy.array = table.array.map(data)
            for (key, item) in table.fields { copy[data(key)] = data(item) }
            return .table(copy)
        default: return value
        }
    }

    // MARK: Helpers

    /// `path` as the spec names it: absolute, else beside the spec file, else in the working directory.
    private func resolve(_ path: String, function: String) throws -> String {
        let files = FileManager.default
        if path.hasPrefix("/") {
            if files.isReadableFile(atPath: path) { return path }
        } else {
            let folder = (specFile as NSString).deletingLastPathComponent
            let working = (runtime.configuration.workingDirectory as NSString).appendingPathComponent(path)
            for candidate in [folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path), path, working]
            where files.isReadableFile(atPath: candidate) {
                return candidate
            }
        }
        throw Self.error(function, "cannot read \(path) (looked beside \(specFile) and in the working directory)")
    }

    /// A file's script name: its file name without `.lua` — its `kv` namespace and the start of
    /// its rules' derived names.
    static func scriptName(of file: String) -> String {
        let name = (file as NSString).lastPathComponent
        return name.hasSuffix(".lua") ? String(name.dropLast(4)) : name
    }

    private func zone(_ name: String?) -> TimeZone {
        let named = name ?? runtime.configuration.lunas.timeZone ?? TimeHostFunctions.fallbackZone
        return (try? TimeZone.iana(named)) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    private static func succeeded(_ outcome: RunOutcome) -> Bool {
        if case .ok = outcome { return true }
        return false
    }

    private static func message(of outcome: RunOutcome) -> String? {
        switch outcome {
        case .ok: nil
        case .failed(let error): error.message
        case .limit(let limit, let error): "\(limit.message)\(error.location.map { " at \($0)" } ?? "")"
        case .rejected(let message): message
        case .cancelled: "cancelled"
        }
    }

    private static func error(_ function: String?, _ message: String) -> LuaError {
        LuaError(.runtime, function.map { "\($0): \(message)" } ?? message)
    }
}
