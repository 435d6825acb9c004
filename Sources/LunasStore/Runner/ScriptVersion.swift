/// The exact source of one version of a rules file, stored by its content hash, so a job, a run
/// and a replay use the source they were made with even after the file changed.
public struct ScriptVersion: Sendable, Equatable {
    /// The SHA-256 of `source`, in hex.
    public var hash: String
    /// The rules file's name (`vip_rules`).
    public var script: String
    /// Its Lua source.
    public var source: String

    /// A script version.
    public init(hash: String, script: String, source: String) {
        self.hash = hash
        self.script = script
        self.source = source
    }
}
