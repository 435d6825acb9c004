import Foundation

/// One line a run logged: a `print`, a `log.*` call, or a notice of the runtime.
public struct RunLogRow: Sendable, Equatable {
    /// Its place in the run's log, from 0.
    public var seq: Int
    /// When it was logged.
    public var at: Date
    /// `print`, `log` or `notice`.
    public var kind: String
    /// The level of a `log` line (`info`, `warn`, ...).
    public var level: String?
    /// The message.
    public var message: String
    /// Structured fields, as a JSON object.
    public var fields: String
    /// Where it was logged (`file:line`).
    public var location: String
    /// The line as printed.
    public var text: String

    /// A log line.
    public init(seq: Int, at: Date, kind: String, level: String? = nil, message: String, fields: String = "{}", location: String = "", text: String) {
        self.seq = seq
        self.at = at
        self.kind = kind
        self.level = level
        self.message = message
        self.fields = fields
        self.location = location
        self.text = text
    }
}
