import ArgumentParser
import Foundation
import LunasRuntime

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile scripts without running them: syntax errors and undefined globals.",
        discussion: """
            Reports FILE:LINE: message for each syntax error (exit 1 if any) and
            FILE:LINE: warning: for reads of globals that nothing defines and of fields the scalev
            and kv modules do not have (warnings alone exit 0).
            """)

    @Argument(help: "The scripts to check.")
    var files: [String]

    @Flag(help: "Check against the trusted profile's globals (io, os, debug, package).")
    var trusted = false

    func run() throws {
        var failed = false
        let stderr = FileHandle.standardError
        let globals = ScriptGlobals(profile: trusted ? .trusted : .sandboxed)
        for file in files {
            guard let source = FileManager.default.contents(atPath: file) else {
                stderr.write(Data("\(file): cannot read file\n".utf8))
                failed = true
                continue
            }
            do {
                let state = try LuaState()
                let chunk = try state.compile(source, name: "@\(file)")
                var warnings: [(line: Int, text: String)] = []
                for (access, suggestion) in globals.undefinedReads(in: chunk) {
                    let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                    warnings.append((access.line, "undefined global '\(access.name)'\(hint)"))
                }
                for (access, path, suggestion) in globals.unknownFields(in: chunk) {
                    let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                    warnings.append((access.line, "'\(path)' does not exist\(hint)"))
                }
                for warning in warnings.enumerated().sorted(by: { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }) {
                    stderr.write(Data("\(file):\(warning.element.line): warning: \(warning.element.text)\n".utf8))
                }
            } catch let error as LuaError {
                stderr.write(Data("\(error.message)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
