import LunasRuntime

/// A merchant's rule as a host keeps it (in its database, say): the Lua text, the chunk name its
/// errors are reported under (`pricing.lua:7: ...`), and the function each run calls.
public struct MerchantRule: Sendable, Equatable {
    /// The Lua source.
    public var source: String
    /// The name errors and tracebacks give the source.
    public var chunkName: String
    /// The function called once the chunk has run (a global, or a field of the table it returns).
    public var handler: String

    /// A rule.
    public init(source: String, chunkName: String, handler: String) {
        self.source = source
        self.chunkName = chunkName
        self.handler = handler
    }

    /// The script source of a run of this rule.
    public var scriptSource: ScriptSource { .text(source, chunkName: chunkName) }
}
