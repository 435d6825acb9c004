import Foundation
import LuaKit

/// One run a ``Runtime`` is asked for: the source, what the script is given (its arguments), how it
/// runs (profile, limits, `kv` namespace: ``ScriptOptions``), the Scalev credentials it is
/// granted, and where its output goes.
public struct RunRequest: Sendable {
    /// The script.
    public var source: ScriptSource
    /// The function to call after the chunk ran, and its input; `nil`: the chunk's results are the run's.
    public var handler: RunHandler?
    /// The rule of a rules file to run: the file's top level runs (registering, with `scalev`
    /// and `kv` closed to it), then the rule of that name is called with its input; `nil`: not
    /// a rule run. A request gives a ``handler`` or a rule, not both.
    public var rule: RuleCall?
    /// How it runs. The runtime fills in what it owns: the stdlib, scripts and working folders,
    /// and the store behind `kv` unless the request names one.
    public var options: ScriptOptions
    /// Where its `print`, `log` and the host's notices go (default: standard output and error,
    /// as `lunas run` writes them; ``RunTranscript`` keeps them per run).
    public var output: ScriptOutput
    /// The Scalev credentials it is granted (``ScriptOptions/scalev``, when a host built them
    /// itself, takes their place).
    public var credentials: RunCredentials = .none
    /// The script's name in `lunas.toml` (`[scripts.NAME]`: its grants and budget weight) and in
    /// budget notices; `nil`: its `kv` namespace, else its source's name.
    public var script: String?
    /// The script's share of each credential's rate budget against other scripts that wait on
    /// it (`nil`: its `weight` in `lunas.toml`, else 1).
    public var budgetWeight: Int?
    /// A dry run: Scalev reads are sent, writes reported (as notices) and answered with
    /// `dry_run = true`; `kv` writes as it says. `nil` for a real run.
    public var dryRun: DryRun?
    /// Whether every Scalev request, response and retry is reported as a notice (redacted).
    public var traceRequests = false
    /// Where Scalev iterators report progress; `nil` keeps them quiet.
    public var progress: ProgressLine?
    /// The one file the script may read, as `input` (`lunas run --input FILE`); `nil`: a script
    /// that names `input` is told how to grant it. Nothing else of the file system is reachable.
    public var inputFile: URL?
    /// The one file the script may write, as `output` (`lunas run --output FILE`): created or
    /// emptied at its first write, never written in a dry run (each write is reported instead).
    public var outputFile: URL?
    /// Hears the run's long waits for its credentials' rate budgets (a runner frees its slot meanwhile).
    public var budgetWaitObserver: BudgetWaitObserver?

    /// A request to run `source`.
    public init(source: ScriptSource, handler: RunHandler? = nil, options: ScriptOptions = ScriptOptions(), output: ScriptOutput = .standard,
                credentials: RunCredentials = .none) {
        self.source = source
        self.handler = handler
        self.options = options
        self.output = output
        self.credentials = credentials
    }
}

/// What a dry run does with `kv` writes.
public enum DryRun: Sendable {
    /// Keeps them in memory for the run (its reads see them) and reports each as a notice.
    case dropKV
    /// Writes them to the store, as a real run does.
    case writeKV
}
