import ArgumentParser
import Foundation
import LuaKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compile scripts without running them and report every syntax error.",
        discussion: "Reports FILE:LINE: message for each error; exits 1 if any file has one.")

    @Argument(help: "The scripts to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            guard let source = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("\(file): cannot read file\n".utf8))
                failed = true
                continue
            }
            do {
                let state = try LuaState()
                _ = try state.compile(source, name: "@\(file)")
            } catch let error as LuaError {
                FileHandle.standardError.write(Data("\(error.message)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
