import Foundation
import LuaKit
import Testing

/// A folder of module files for one test, removed by `remove()`.
struct ModuleFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-trusted-\(UUID().uuidString)")

    /// Writes each module file (a path relative to the folder) with its source.
    init(_ files: [String: String]) throws {
        for (path, source) in files {
            let file = url.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try source.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A trusted state with `fetch(x)`, an async host function answering `x * 2` after a real suspension.
func trustedState(modules: LuaModulePaths = LuaModulePaths()) throws -> LuaState {
    let state = try LuaState(profile: .trusted, modules: modules)
    state.registerAsync("fetch") { arguments in
        await Task.yield()
        return [.integer((arguments.first?.integerValue ?? 0) * 2)]
    }
    return state
}

@Suite("Trusted mode behaves as stock Lua")
struct TrustedModeTests {
    @Test("the main chunk is the main coroutine, and cannot yield")
    func mainCoroutine() async throws {
        let values = try await run("""
            local co, ismain = coroutine.running()
            return type(co), ismain, coroutine.isyieldable(), coroutine.status(co)
            """, profile: .trusted)
        #expect(values == ["thread", true, false, "running"])
    }

    @Test("a yield at the top level is an error the script can catch")
    func topLevelYield() async throws {
        let values = try await run("""
            local ok, message = pcall(coroutine.yield, 1)
            local inner = coroutine.wrap(function() return pcall(coroutine.yield, 2) end)
            return ok, message, inner()
            """, profile: .trusted)
        #expect(values == [false, "attempt to yield from outside a coroutine", 2])
    }

    @Test("require \"coroutine\" is the coroutine library the script sees")
    func coroutineModule() async throws {
        #expect(try await run("return require 'coroutine' == coroutine, package.loaded.coroutine == coroutine", profile: .trusted) == [true, true])
    }

    @Test("require follows package.path and returns the file it loaded")
    func packagePath() async throws {
        let folder = try ModuleFolder(["lib/greet.lua": "return { name = ..., file = select(2, ...) }"])
        defer { folder.remove() }
        let values = try await run("""
            package.path = '\(folder.url.path)/lib/?.lua;' .. package.path
            local m, file = require 'greet'
            return m.name, m.file == file, file, require 'greet' == m, package.loaded.greet == m
            """, profile: .trusted)
        let file = folder.url.appendingPathComponent("lib/greet.lua").path
        #expect(values == ["greet", true, .string(LuaString(file)), true, true])
    }

    @Test("the module folders come first in package.path")
    func moduleFolders() async throws {
        let folder = try ModuleFolder(["shop/config.lua": "return 'from the module folder'"])
        defer { folder.remove() }
        let state = try trustedState(modules: LuaModulePaths([folder.url.path]))
        let values = try await state.run("""
            return require 'shop.config', package.path:sub(1, #'\(folder.url.path)/?.lua;') == '\(folder.url.path)/?.lua;'
            """)
        #expect(values == ["from the module folder", true])
    }

    @Test("package.preload, package.loaded and package.searchers are honoured")
    func searchers() async throws {
        let values = try await run("""
            package.preload.pre = function(name, extra) return { name = name, extra = extra } end
            local pre, extra = require 'pre'
            package.loaded.given = 'already here'
            table.insert(package.searchers, 1, function(name)
              if name == 'virtual' then return function(n, data) return n .. ':' .. data end, 'data' end
              return 'no virtual module ' .. name
            end)
            local virtual = require 'virtual'
            local ok, message = pcall(require, 'absent')
            local set = require 'sets'
            return pre.name, pre.extra, extra, require 'given', virtual, ok,
              message:find("no virtual module absent", 1, true) ~= nil,
              message:find("no field package.preload['absent']", 1, true) ~= nil, set
            """, profile: .trusted, setup: { state in
                _ = try state.call("package.preload.sets = function() sets_loaded = true end")
            })
        #expect(values == ["pre", ":preload:", ":preload:", "already here", "virtual:data", false, true, true, true])
    }

    @Test("a package.path that is not a string is named in the error")
    func packagePathError() async throws {
        let values = try await run("""
            package.path = {}
            local ok, message = pcall(require, 'no-such-file')
            package.searchers = nil
            local ok2, message2 = pcall(require, 'no-such-file')
            return ok, message, ok2, message2
            """, profile: .trusted)
        #expect(values.count == 4 && values[0] == false && values[2] == false)
        #expect(values[1].stringValue?.contains("'package.path' must be a string") == true, "\(values[1])")
        #expect(values[3].stringValue?.contains("'package.searchers' must be a table") == true, "\(values[3])")
    }

    @Test("a module's top level may call async host functions")
    func asyncModuleTopLevel() async throws {
        let folder = try ModuleFolder(["prices.lua": "local base = fetch(20)\nreturn { base = base }"])
        defer { folder.remove() }
        let state = try trustedState(modules: LuaModulePaths([folder.url.path]))
        let values = try await state.run("""
            local p = require 'prices'
            local ok, q = pcall(require, 'prices')
            local co = coroutine.wrap(function() package.loaded.prices = nil return require('prices').base end)
            return p.base, ok and q == p, co()
            """)
        #expect(values == [40, true, 40])
    }

    @Test("coroutine.wrap raises the error a __close handler raised, and a failed wrap is dead")
    func wrapClose() async throws {
        let values = try await run("""
            local co = coroutine.wrap(function()
              local x <close> = setmetatable({}, {__close = function() error('closing', 0) end})
              error('first', 0)
            end)
            local ok1, e1 = pcall(co)
            local ok2, e2 = pcall(co)
            return ok1, e1, ok2, e2
            """, profile: .trusted)
        #expect(values == [false, "closing", false, "cannot resume dead coroutine"])
    }

    @Test("a yield inside a coroutine, where Lua cannot yield, is Lua's own error")
    func yieldAcrossC() async throws {
        let values = try await run("""
            local f = coroutine.wrap(function() table.sort({1, 2, 3}, coroutine.yield) end)
            return select(2, pcall(f))
            """, profile: .trusted)
        #expect(values.first?.stringValue?.contains("attempt to yield across a C-call boundary") == true, "\(values)")
    }

    @Test("print is a C function with Lua's formatting, writing through the host")
    func print() async throws {
        final class Lines { var items: [String] = [] }
        let lines = Lines()
        let state = try LuaState(profile: .trusted)
        state.installPrint { lines.items.append($0) }
        let values = try await state.run("""
            print(1, nil, 2.5, setmetatable({}, {__tostring = function() return 'T' end}))
            print()
            local ok = pcall(print, setmetatable({}, {__tostring = function() return {} end}))
            local info = debug.getinfo(print, 'Su')
            return info.what, info.nups, info.isvararg, pcall(string.dump, print), ok, debug.getinfo(load, 'u').nups
            """)
        #expect(values == ["C", 0, true, false, false, 0])
        #expect(lines.items == ["1\tnil\t2.5\tT", ""])
    }
}
