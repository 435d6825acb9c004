/// Why a rules file could not be loaded (``Runtime/loadRules(_:script:)``).
public enum RulesError: Error, Sendable, CustomStringConvertible {
    /// The file registered nothing: it is a plain script, not a rules file.
    case noRules(script: String, file: String)
    /// Its top level did not run to its end: it failed (a bad spec or option, a call of `scalev`
    /// or `kv`, each at its `file:line`), hit a limit, was cancelled or could not start.
    case load(RunOutcome)

    /// What went wrong, and what to fix.
    public var description: String {
        switch self {
        case .noRules(_, let file):
            "\(file) registers no rules: a rules file's top level calls on, cron, every or job"
        case .load(.failed(let error)), .load(.limit(_, let error)):
            error.message
        case .load(.rejected(let message)):
            message
        case .load(.cancelled):
            "loading the rules was cancelled"
        case .load(.ok):
            "the rules loaded"
        }
    }
}
