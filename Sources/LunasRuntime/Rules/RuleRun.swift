import LunasClock

/// How one run treats the registration functions of a rules file.
struct RuleRun: Sendable {
    /// What the run is.
    enum Mode: Sendable {
        /// An ordinary run: the functions are installed only when its chunk names them, and
        /// `scalev` and `kv` close at the first registration.
        case ordinary
        /// ``Runtime/loadRules(_:script:)``: the top level only, `scalev` and `kv` closed.
        case load
        /// A rule run: the top level, then the rule called.
        case call(RuleCall)
    }

    /// What the run is.
    var mode: Mode
    /// The rules file's name, which derived rule names start with.
    var script: String
    /// The clock `after` reads.
    var clock: any WallClock

    /// The timer key prefix of the run.
    var timerKey: String {
        if case .call(let call) = mode { return call.timerKey }
        return "run"
    }

    /// The registry of a run of a chunk that `reach` describes; `nil` for an ordinary run whose
    /// chunk names none of the registration globals (it pays nothing for them).
    func registry(reach: ModuleReach) -> RuleRegistry? {
        if case .ordinary = mode {
            guard RuleRegistry.globals.contains(where: reach.names) else { return nil }
            return RuleRegistry(script: script, clock: clock, timerKey: timerKey, rulesRun: false)
        }
        return RuleRegistry(script: script, clock: clock, timerKey: timerKey, rulesRun: true)
    }
}
