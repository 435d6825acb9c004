import Foundation

// The argument checks of the runner's calls, the same on every backend.
extension JobRequest {
    /// Throws unless this request can be stored.
    func check() throws {
        if maxAttempts < 1 { throw StoreError.invalidArgument("a job takes at least 1 attempt, not \(maxAttempts)") }
        if queue.isEmpty { throw StoreError.invalidArgument("a job's queue cannot be empty") }
    }
}

enum RunnerChecks {
    /// A lease in milliseconds: positive and at most the longest TTL.
    static func lease(_ lease: Duration) throws -> Int64 {
        try KVNames.checkTTL(lease) ?? 0
    }

    /// A claim's batch size: 0 claims nothing; more than 10,000 is an error.
    static func claimLimit(_ limit: Int) throws -> Int {
        if limit > 0 { try KVNames.checkLimit(limit) }
        return max(limit, 0)
    }
}

extension JobFinish.Result {
    /// The state asked for (a retry past the last attempt is made dead by the statement), the
    /// retry's run time and the error.
    var stored: (state: String, runAt: Int64?, error: String?) {
        switch self {
        case .done: ("done", nil, nil)
        case .retry(let at, let error): ("ready", at.milliseconds, error)
        case .dead(let error): ("dead", nil, error)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down (a run's budget wait, as stored).
    var storedMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
