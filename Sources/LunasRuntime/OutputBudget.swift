import Synchronization

/// A run's allowance of bytes for one kind of output: text passes while it fits; the first text
/// that does not is replaced by one notice, and everything after it is dropped.
final class OutputBudget: Sendable {
    /// What to do with one piece of text.
    enum Verdict: Equatable {
        /// Write it.
        case write
        /// Write the notice instead: the budget has just run out.
        case notice
        /// Drop it.
        case drop
    }

    private struct State {
        var written = 0
        var spent = false
    }

    /// The allowance in bytes.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    /// The verdict on `bytes` more bytes, counted when written.
    func admit(_ bytes: Int) -> Verdict {
        state.withLock { state in
            if state.spent { return .drop }
            if state.written + bytes > limit {
                state.spent = true
                return .notice
            }
            state.written += bytes
            return .write
        }
    }
}
