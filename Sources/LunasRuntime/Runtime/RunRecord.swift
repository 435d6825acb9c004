import Foundation
import LuaKit

/// One piece of a run's output, already redacted and within the run's byte budgets: what one
/// `print` call printed, one `log` line, or a notice of the host's (a budget reached, a write
/// a dry run skipped).
public struct RunRecord: Sendable, Equatable {
    /// What wrote it.
    public enum Kind: Sendable, Equatable {
        /// A `print` call.
        case print
        /// A `log.debug`, `log.info`, `log.warn` or `log.error` call.
        case log(LuaLogRecord.Level)
        /// The host, about the run.
        case notice
    }

    /// What wrote it.
    public var kind: Kind
    /// The text as `lunas run` writes it, its newline included: a `print` call's text; a log line
    /// as `time LEVEL message key=value ... (file:line)`; a notice as `lunas: ...`.
    public var text: String
    /// A log line's message.
    public var message: String
    /// A log line's fields, each value rendered as in ``text`` (positional fields are named `1`,
    /// `2`, ...), sorted by name.
    public var fields: [Field]
    /// Where the script wrote it, `file.lua:12`, when known.
    public var location: String
    /// When it was written.
    public var time: Date

    /// One field of a log line.
    public struct Field: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Its value, rendered.
        public var value: String

        /// A field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A record.
    public init(kind: Kind, text: String, message: String = "", fields: [Field] = [], location: String = "", time: Date = Date()) {
        self.kind = kind
        self.text = text
        self.message = message
        self.fields = fields
        self.location = location
        self.time = time
    }
}
