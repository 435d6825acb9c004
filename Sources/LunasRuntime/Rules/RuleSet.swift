import Crypto

/// What a rules file's top level registered, with the exact source it ran: a job, a run and a
/// replay run that source again (``ScriptSource/snapshot(_:file:)``) even after the file changed.
public struct RuleSet: Sendable, Equatable {
    /// The file's name: its path relative to its rules folder, without `.lua` (`vip_rules`).
    public var script: String
    /// Its path, as the run named it.
    public var file: String
    /// The source that ran.
    public var source: String
    /// The SHA-256 of ``source``, in lowercase hex: the stored version's key.
    public var version: String
    /// The rules, in the order registered.
    public var rules: [Rule]

    /// A rule set; ``version`` is the hash of `source`.
    public init(script: String, file: String, source: String, rules: [Rule]) {
        self.script = script
        self.file = file
        self.source = source
        self.version = Self.version(of: source)
        self.rules = rules
    }

    /// The rule named `name`, if the file registered one.
    public func rule(named name: String) -> Rule? {
        rules.first { $0.name == name }
    }

    /// The `on` rules an event named `event` fires, in the order registered.
    public func rules(matching event: String) -> [Rule] {
        rules.filter { $0.matches(event: event) }
    }

    /// The `cron` and `every` rules.
    public var schedules: [Rule] { rules.filter(\.kind.isSchedule) }

    /// The version of a source text: its SHA-256 in lowercase hex.
    public static func version(of source: String) -> String {
        SHA256.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
