import Synchronization

/// Keeps one run's output records in order, for a host that stores or inspects them (the
/// runner's run history, tests). Its budget is the run's: the printer and logger stop writing
/// at their byte caps, so it holds at most those bytes.
public final class RunTranscript: Sendable {
    private let kept = Mutex<[RunRecord]>([])

    /// An empty transcript.
    public init() {}

    /// The output that writes here.
    public var output: ScriptOutput {
        ScriptOutput { record in self.kept.withLock { $0.append(record) } }
    }

    /// The records so far, in the order written.
    public var records: [RunRecord] { kept.withLock { $0 } }

    /// The text of the records of `kind` (all when `nil`), joined.
    public func text(of kind: RunRecord.Kind? = nil) -> String {
        records.filter { kind == nil || $0.kind == kind }.map(\.text).joined()
    }
}
