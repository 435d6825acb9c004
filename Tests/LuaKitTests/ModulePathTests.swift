import Foundation
import LuaKit
import Testing

/// Issue 16: `require` never shows a sandboxed script where its modules are on the host.
@Suite("require names no host path")
struct ModulePathTests {
    /// Two module folders, `own` (shown as nothing) and `lib` (shown as `stdlib`), with modules.
    static func folders() throws -> (own: URL, lib: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-modpath-\(UUID().uuidString)")
        let own = root.appendingPathComponent("own"), lib = root.appendingPathComponent("lib")
        let files = [
            own.appendingPathComponent("syntax.lua"): "local x = = 1",
            own.appendingPathComponent("boom.lua"): "local M = {}\nfunction M.go() error('boom') end\nreturn M",
            own.appendingPathComponent("where.lua"): "return select(2, ...)",
            lib.appendingPathComponent("shop/init.lua"): "return { raise = function() error('from stdlib') end }",
            lib.appendingPathComponent("loud.lua"): "error('at load')",
        ]
        for (url, source) in files {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try source.write(to: url, atomically: true, encoding: .utf8)
        }
        return (own, lib)
    }

    static func paths(_ own: URL, _ lib: URL) -> LuaModulePaths {
        LuaModulePaths(folders: [LuaModulePaths.Folder(own.path, shownAs: ""), LuaModulePaths.Folder(lib.path, shownAs: "stdlib")])
    }

    @Test("not found, syntax and load errors, errors raised inside modules and the file name a module gets show folder-relative paths")
    func sandboxedSeesShownNames() async throws {
        let (own, lib) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: own.deletingLastPathComponent()) }
        let state = try LuaState(modules: Self.paths(own, lib))
        let values = try await state.run("""
            local _, missing = pcall(require, 'nope.deeper')
            local _, syntax = pcall(require, 'syntax')
            local _, loud = pcall(require, 'loud')
            local _, boom = pcall(require('boom').go)
            local _, inStdlib = pcall(require('shop').raise)
            return missing, syntax, loud, boom, inStdlib, require('where')
            """)
        let texts = values.map { $0.stringValue ?? "" }
        #expect(texts[0] == """
            module 'nope.deeper' not found:
            \tno file 'nope/deeper.lua'
            \tno file 'nope/deeper/init.lua'
            \tno file 'stdlib/nope/deeper.lua'
            \tno file 'stdlib/nope/deeper/init.lua'
            """)
        #expect(texts[1].hasSuffix(": syntax.lua:1: unexpected symbol near '='"), "\(texts[1])")
        #expect(texts[2] == "stdlib/loud.lua:1: at load")
        #expect(texts[3] == "boom.lua:2: boom")
        #expect(texts[4] == "stdlib/shop/init.lua:1: from stdlib")
        #expect(texts[5] == "where.lua")
        for text in texts { #expect(!text.contains(own.deletingLastPathComponent().path), "\(text)") }
    }

    @Test("an uncaught error in a module and its traceback name no host path")
    func uncaughtInModule() async throws {
        let (own, lib) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: own.deletingLastPathComponent()) }
        let state = try LuaState(modules: Self.paths(own, lib))
        let error = await #expect(throws: LuaError.self) { try await state.run("require('boom').go()") }
        #expect(error?.message == "boom.lua:2: boom")
        let traceback = error?.traceback ?? ""
        #expect(!traceback.contains(own.path), "\(traceback)")
    }

    @Test("folders given by path show by their own name; trusted code sees the real paths")
    func defaultsAndTrusted() async throws {
        let (own, lib) = try Self.folders()
        defer { try? FileManager.default.removeItem(at: own.deletingLastPathComponent()) }
        let named = try LuaState(modules: LuaModulePaths([own.path]))
        #expect(try await named.run("return require('where')") == ["own/where.lua"])
        let trusted = try LuaState(profile: .trusted, modules: Self.paths(own, lib))
        // Lua's own require: the module's value, then the loader data (the file)
        let real = LuaValue.string(LuaString(own.appendingPathComponent("where.lua").path))
        #expect(try await trusted.run("return require('where')") == [real, real])
        let values = try await trusted.run("return select(2, pcall(require, 'nope'))")
        #expect(values.first?.stringValue?.contains("no file '\(lib.path)/nope.lua'") == true, "\(values)")
    }
}
