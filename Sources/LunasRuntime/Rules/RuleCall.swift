import LuaKit

/// A request to run one rule of a rules file (``RunRequest/rule``): the file's top level runs
/// (registering, under the top-level gate), then the rule named ``name`` is called with
/// ``input`` — the event table of an `on` rule, the `fire` table of a schedule, the args of a job.
public struct RuleCall: Sendable {
    /// The rule's registration name.
    public var name: String
    /// Its arguments.
    public var input: [LuaValue]
    /// The prefix of the keys of the timers the run sets (`<timerKey>#<call index>`): the id of
    /// the job it runs for, so that a retry sets the same keys.
    public var timerKey: String

    /// A call of the rule `name`.
    public init(name: String, input: [LuaValue] = [], timerKey: String = "run") {
        self.name = name
        self.input = input
        self.timerKey = timerKey
    }
}
