import Foundation

/// Where a run's output goes, one ``RunRecord`` at a time: what its `print` calls write, its
/// log lines and the host's notices. What reaches it is already redacted and within the run's
/// byte budgets. `lunas run` writes to standard output and standard error; a host may keep each
/// run's (``RunTranscript``) or store it.
public struct ScriptOutput: Sendable {
    /// Takes one record.
    public var write: @Sendable (RunRecord) -> Void

    /// An output that hands every record to `write`.
    public init(_ write: @escaping @Sendable (RunRecord) -> Void) {
        self.write = write
    }

    /// An output of two writers of text: one for what `print` wrote, one for log lines and notices.
    public init(print: @escaping @Sendable (String) -> Void, log: @escaping @Sendable (String) -> Void) {
        self.write = { record in record.kind == .print ? print(record.text) : log(record.text) }
    }

    /// Writes a notice of the host's (`lunas: ...`, its newline included).
    public func notice(_ text: String) {
        write(RunRecord(kind: .notice, text: text))
    }

    /// `print` to standard output, flushed at each call as Lua's own `print` does (through C's
    /// stream, so a trusted script's `io.write` keeps its place), log lines to standard error.
    public static let standard = ScriptOutput(
        print: { text in
            Swift.print(text, terminator: "")
            fflush(nil)
        },
        log: { FileHandle.standardError.write(Data($0.utf8)) })
}
