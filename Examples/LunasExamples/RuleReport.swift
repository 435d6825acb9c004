import LunasRuntime

/// What one message came to in a ``RuleWorker``.
public struct RuleReport<Message: Sendable>: Sendable {
    /// The message's place in the worker's sequence, from 1.
    public var sequence: Int
    /// The message.
    public var message: Message
    /// The run: its outcome (`.ok` with the handler's results, `.failed` with `file:line`,
    /// `.limit` naming the limit, `.cancelled`), its duration and peak memory.
    public var result: RunResult

    /// A report.
    public init(sequence: Int, message: Message, result: RunResult) {
        self.sequence = sequence
        self.message = message
        self.result = result
    }
}
