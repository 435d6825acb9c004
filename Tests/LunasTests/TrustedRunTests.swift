import Foundation
import Testing

@Suite("lunas run --trusted behaves as stock Lua")
struct TrustedRunTests {
    @Test("require finds a module beside the script through package.path; the main chunk is the main coroutine")
    func moduleBesideTheScript() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-trusted-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "return { answer = 42 }".write(to: folder.appendingPathComponent("helper.lua"), atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("main.lua")
        try """
            local helper, file = require 'helper'
            local _, ismain = coroutine.running()
            print(helper.answer, file, ismain, pcall(coroutine.yield))
            """.write(to: script, atomically: true, encoding: .utf8)
        // run from the package root: the script's folder is not the working directory
        let outcome = try await LunasProcess.run(["run", "--trusted", script.path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let helper = folder.appendingPathComponent("helper.lua").path
        #expect(outcome.stdout == "42\t\(helper)\ttrue\tfalse\tattempt to yield from outside a coroutine\n", "\(outcome.stdout)")
    }

    @Test("warn is off until warn('@on'), then writes 'Lua warning: ...' to standard error")
    func warnings() async throws {
        let script = try LunasProcess.script("warn('hidden') warn('@on') warn('low ', 'stock') warn('@off') warn('hidden')")
        let outcome = try await LunasProcess.run(["run", "--trusted", script])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "Lua warning: low stock\n", "\(outcome.stderr)")
    }
}
