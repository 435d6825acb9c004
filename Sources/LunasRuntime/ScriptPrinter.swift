import LuaKit

/// A script's `print`: Lua's rules (`tostring` of each argument, tabs between, a newline), the
/// text redacted and within a byte budget, written to the run's ``ScriptOutput``.
struct ScriptPrinter: Sendable {
    let redactor: Redactor
    let budget: OutputBudget
    let output: ScriptOutput

    init(redactor: Redactor, maxBytes: Int, output: ScriptOutput) {
        self.redactor = redactor
        self.budget = OutputBudget(limit: maxBytes)
        self.output = output
    }

    /// Writes one printed line.
    func print(_ line: String) {
        let text = redactor.redact(line) + "\n"
        switch budget.admit(text.utf8.count) {
        case .write: output.write(RunRecord(kind: .print, text: text))
        case .notice: output.notice("lunas: print limit of \(budget.limit) bytes reached; further print output of this run is dropped\n")
        case .drop: break
        }
    }

    /// Replaces the global `print` of `state` with this one.
    func install(in state: LuaState) {
        let printer = self
        state.installPrint { printer.print($0) }
    }
}
