/// A schedule as a rules file registers it: what ``RunnerStore/saveSchedules(_:)`` writes.
public struct ScheduleDefinition: Sendable, Equatable {
    /// The registration name (`vip_rules:cron:0 9 * * *`): slots, pauses and history are keyed on it.
    public var name: String
    /// The rules file (`vip_rules`).
    public var script: String
    /// `cron` or `every`.
    public var kind: String
    /// The cron expression or the interval (`0 9 * * *`, `15m`).
    public var spec: String
    /// The IANA time zone its cron fields are read in.
    public var zone: String

    /// A schedule definition.
    public init(name: String, script: String, kind: String, spec: String, zone: String) {
        self.name = name
        self.script = script
        self.kind = kind
        self.spec = spec
        self.zone = zone
    }
}
