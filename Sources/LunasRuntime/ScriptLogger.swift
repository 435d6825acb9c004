import Foundation
import LuaKit

/// Writes a script's `log` lines as `time LEVEL message key=value ... (file:line)`, redacted,
/// within a byte budget, each as a ``RunRecord`` that keeps the message and fields apart too.
public final class ScriptLogger: Sendable {
    private let redactor: Redactor
    private let minimum: LuaLogRecord.Level
    private let budget: OutputBudget
    private let output: ScriptOutput

    /// A logger that hands each finished record to `output`.
    public init(redactor: Redactor, minimum: LuaLogRecord.Level, maxBytes: Int, output: ScriptOutput) {
        self.redactor = redactor
        self.minimum = minimum
        self.budget = OutputBudget(limit: maxBytes)
        self.output = output
    }

    /// A logger that hands each finished line (and the notice that the budget was reached) to `write`.
    public convenience init(redactor: Redactor, minimum: LuaLogRecord.Level, maxBytes: Int, write: @escaping @Sendable (String) -> Void) {
        self.init(redactor: redactor, minimum: minimum, maxBytes: maxBytes, output: ScriptOutput { write($0.text) })
    }

    /// Formats and writes one record.
    public func log(_ record: LuaLogRecord) {
        guard record.level >= minimum else { return }
        let time = Date()
        let rendered = Self.fields(of: record)
        let fields = rendered.map { RunRecord.Field(name: redactor.redact($0.name), value: redactor.redact($0.value)) }
        let line = redactor.redact(Self.format(record, fields: rendered, time: time)) + "\n"
        switch budget.admit(line.utf8.count) {
        case .write:
            output.write(RunRecord(kind: .log(record.level), text: line, message: redactor.redact(record.message), fields: fields,
                                   location: record.location, time: time))
        case .notice: output.notice("lunas: log limit of \(budget.limit) bytes reached; further log lines of this run are dropped\n")
        case .drop: break
        }
    }

    /// The line `time LEVEL message key=value ... (file:line)`, its fields already rendered.
    static func format(_ record: LuaLogRecord, fields: [(name: String, value: String)], time: Date) -> String {
        var line = "\(time.formatted(.iso8601)) \(record.level.rawValue.uppercased()) \(record.message)"
        for field in fields { line += " \(field.name)=\(field.value)" }
        if !record.location.isEmpty { line += " (\(record.location))" }
        return line
    }

    /// The positional fields (`1`, `2`, ...) in order, then the named ones sorted by name.
    static func fields(of record: LuaLogRecord) -> [(name: String, value: String)] {
        let positional = record.fields.array.enumerated().map { (name: "\($0.offset + 1)", value: render($0.element)) }
        let named = record.fields.fields.map { (name: $0.key.description, value: render($0.value)) }.sorted { $0.name < $1.name }
        return positional + named
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
