import LuaKit

/// One run a ``Runtime`` is asked for: the source, what the script is given (its arguments), how it
/// runs (profile, limits, `kv` namespace, Scalev credentials: ``ScriptOptions``), and where its
/// output goes.
public struct RunRequest: Sendable {
    /// The script.
    public var source: ScriptSource
    /// The function to call after the chunk ran, and its input; `nil`: the chunk's results are the run's.
    public var handler: RunHandler?
    /// How it runs. The runtime fills in what it owns: the stdlib, scripts and working folders,
    /// and the store behind `kv` unless the request names one.
    public var options: ScriptOptions
    /// Where its `print`, `log` and the host's notices go (default: standard output and error,
    /// as `lunas run` writes them; ``RunTranscript`` keeps them per run).
    public var output: ScriptOutput

    /// A request to run `source`.
    public init(source: ScriptSource, handler: RunHandler? = nil, options: ScriptOptions = ScriptOptions(), output: ScriptOutput = .standard) {
        self.source = source
        self.handler = handler
        self.options = options
        self.output = output
    }
}
