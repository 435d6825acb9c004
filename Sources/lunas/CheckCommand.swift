import ArgumentParser
import Foundation
import LuaKit
import LunasRuntime

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile scripts without running them: syntax errors and undefined globals.",
        discussion: """
            Reports FILE:LINE: message for each syntax error (exit 1 if any) and
            FILE:LINE: warning: for reads of globals that nothing defines (warnings alone exit 0).
            """)

    @Argument(help: "The scripts to check.")
    var files: [String]

    @Flag(help: "Check against the trusted profile's globals (io, os, debug, package).")
    var trusted = false

    func run() throws {
        var failed = false
        let stderr = FileHandle.standardError
        for file in files {
            guard let source = FileManager.default.contents(atPath: file) else {
                stderr.write(Data("\(file): cannot read file\n".utf8))
                failed = true
                continue
            }
            do {
                let state = try LuaState()
                let chunk = try state.compile(source, name: "@\(file)")
                for (access, suggestion) in ScriptGlobals.undefinedReads(in: chunk, profile: trusted ? .trusted : .sandboxed) {
                    let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
                    stderr.write(Data("\(file):\(access.line): warning: undefined global '\(access.name)'\(hint)\n".utf8))
                }
            } catch let error as LuaError {
                stderr.write(Data("\(error.message)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
