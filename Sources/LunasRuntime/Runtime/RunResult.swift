import LuaKit

/// What a run came to, and what it cost.
public struct RunResult: Sendable {
    /// How it ended.
    public var outcome: RunOutcome
    /// From the start of the run (state created) to its end.
    public var duration: Duration
    /// The most bytes its Lua heap held.
    public var peakMemory: Int
    /// The Scalev API calls it made: HTTP attempts, retries included (dry-run writes are not sent).
    public var apiCalls: Int
    /// The time its Scalev calls waited for their credentials' rate budgets.
    public var budgetWait: Duration
    /// The timers its handler set with `after` and `at`, in order (only a rule run sets any).
    public var timers: [RuleTimer] = []
    /// What its top level registered with `on`, `cron`, `every` and `job`, in order: a run
    /// whose chunk names none of them registers nothing.
    public var rules: [Rule] = []

    /// A result.
    public init(outcome: RunOutcome, duration: Duration, peakMemory: Int, apiCalls: Int = 0, budgetWait: Duration = .zero) {
        self.outcome = outcome
        self.duration = duration
        self.peakMemory = peakMemory
        self.apiCalls = apiCalls
        self.budgetWait = budgetWait
    }
}

/// How a run ended.
public enum RunOutcome: Sendable {
    /// The script returned these values.
    case ok([LuaValue])
    /// The script did not compile, raised an error nobody caught, or an API error ended it: the
    /// error carries the message with `file:line`, the traceback and the error's fields.
    case failed(LuaError)
    /// A limit ended it (memory, deadline, instructions); the error says which, and where.
    case limit(LuaLimit, LuaError)
    /// The run was cancelled (its task, or the runtime's shutdown).
    case cancelled
    /// The run could not start: the source cannot be read, or the request cannot be met.
    case rejected(String)

    /// The exit code `lunas run` ends with: 0, 1 (failed), 2 (rejected), 3 (limit), 130 (cancelled).
    public var exitCode: Int32 {
        switch self {
        case .ok: 0
        case .failed: 1
        case .rejected: 2
        case .limit: 3
        case .cancelled: 130
        }
    }

    /// The outcome of a run that threw `error`.
    init(_ error: any Error) {
        switch error {
        case let error as LuaError:
            switch error.kind {
            case .limit(.cancelled): self = .cancelled
            case .limit(let limit): self = .limit(limit, error)
            case .syntax, .runtime, .usage: self = .failed(error)
            }
        case is CancellationError: self = .cancelled
        default: self = .rejected(String(describing: error))
        }
    }
}

extension RunOutcome {
    /// The outcome with every secret of `redactor` out of its messages and tracebacks.
    func redacted(by redactor: Redactor) -> RunOutcome {
        func redacted(_ error: LuaError) -> LuaError {
            var error = error
            error.message = redactor.redact(error.message)
            error.traceback = error.traceback.map(redactor.redact)
            return error
        }
        switch self {
        case .ok, .cancelled: return self
        case .failed(let error): return .failed(redacted(error))
        case .limit(let limit, let error): return .limit(limit, redacted(error))
        case .rejected(let message): return .rejected(redactor.redact(message))
        }
    }
}
