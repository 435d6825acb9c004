import Foundation
import LuaKit
import Synchronization

/// Writes a script's `log` lines as `time LEVEL message key=value ... (file:line)`, redacted,
/// within a byte budget.
public final class ScriptLogger: Sendable {
    private struct State {
        var written = 0
        var dropped = false
    }

    private let redactor: Redactor
    private let minimum: LuaLogRecord.Level
    private let maxBytes: Int
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A logger that hands each finished line to `write`.
    public init(redactor: Redactor, minimum: LuaLogRecord.Level, maxBytes: Int, write: @escaping @Sendable (String) -> Void) {
        self.redactor = redactor
        self.minimum = minimum
        self.maxBytes = maxBytes
        self.write = write
    }

    /// A logger writing to standard error.
    public static func standardError(redactor: Redactor, minimum: LuaLogRecord.Level, maxBytes: Int) -> ScriptLogger {
        ScriptLogger(redactor: redactor, minimum: minimum, maxBytes: maxBytes) { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Formats and writes one record.
    public func log(_ record: LuaLogRecord) {
        guard record.level >= minimum else { return }
        let line = redactor.redact(Self.format(record)) + "\n"
        let verdict: String? = state.withLock { s in
            if s.dropped { return nil }
            if s.written + line.utf8.count > maxBytes {
                s.dropped = true
                return "lunas: log limit of \(maxBytes) bytes reached; further log lines of this run are dropped\n"
            }
            s.written += line.utf8.count
            return line
        }
        if let verdict { write(verdict) }
    }

    static func format(_ record: LuaLogRecord) -> String {
        var line = "\(Date().formatted(.iso8601)) \(record.level.rawValue.uppercased()) \(record.message)"
        let fields = record.fields.fields.map { (key: $0.key.description, value: $0.value) }
            .sorted { $0.key < $1.key }
        for (index, element) in record.fields.array.enumerated() {
            line += " \(index + 1)=\(render(element))"
        }
        for field in fields { line += " \(field.key)=\(render(field.value))" }
        if !record.location.isEmpty { line += " (\(record.location))" }
        return line
    }

    static func render(_ value: LuaValue) -> String {
        switch value {
        case .string(let s):
            let text = s.description
            let plain = !text.isEmpty && text.allSatisfy { !$0.isWhitespace && $0 != "\"" && $0 != "=" }
            return plain ? text : "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .table(let t):
            let parts = t.array.map(render) + t.fields.map { "\($0.key.description)=\(render($0.value))" }.sorted()
            return (t.isArray || t.fields.isEmpty ? "[" : "{") + parts.joined(separator: ",") + (t.isArray || t.fields.isEmpty ? "]" : "}")
        default:
            return value.description
        }
    }
}
