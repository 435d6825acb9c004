import LuaKit
import Testing

@Suite("Sandbox profiles")
struct SandboxTests {
    /// Each attempt must return true when the escape failed (or raise a clean error).
    static let escapeAttempts: [(String, String)] = [
        ("io library", "return io == nil"),
        ("os.execute", "return os.execute == nil"),
        ("os.getenv", "return os.getenv == nil"),
        ("os.exit", "return os.exit == nil"),
        ("os.remove", "return os.remove == nil"),
        ("os.rename", "return os.rename == nil"),
        ("os.tmpname", "return os.tmpname == nil"),
        ("os.setlocale", "return os.setlocale == nil"),
        ("debug library", "return debug == nil"),
        ("package library", "return package == nil"),
        ("dofile", "return dofile == nil"),
        ("loadfile", "return loadfile == nil"),
        ("string.dump", "return string.dump == nil and ('').dump == nil"),
        ("binary chunk through load", #"local f, e = load("\27Lua\84\0\25\147\13\10\26\10\4\8\8") return f == nil and e:find('binary') ~= nil"#),
        ("binary chunk with mode 'b'", #"local f, e = load("\27LuaT", 'x', 'b') return f == nil"#),
        ("binary chunk through a reader", #"local parts = {"\27", "Lua"} local i = 0 local f = load(function() i = i + 1 return parts[i] end) return f == nil"#),
        ("collectgarbage stop", "return not pcall(collectgarbage, 'stop')"),
        ("collectgarbage generational", "return not pcall(collectgarbage, 'generational')"),
        ("collectgarbage setpause", "return not pcall(collectgarbage, 'setpause', 1)"),
        ("__gc finalizer", "return not pcall(setmetatable, {}, {__gc = function() while true do end end})"),
        ("require of io", "return not pcall(require, 'io')"),
        ("require of os (the full one)", "return not pcall(require, 'os')"),
        ("require of debug", "return not pcall(require, 'debug')"),
        ("require climbing folders", "return not pcall(require, '../../etc/passwd')"),
        ("require of an absolute path", "return not pcall(require, '/etc/passwd')"),
        ("rawget of io", "return rawget(_G, 'io') == nil"),
        ("io through load's environment", "return load('return io', 'x', 't', nil) ~= nil and load('return io')() == nil"),
        ("_ENV.os.execute", "return _ENV.os.execute == nil"),
        ("string metatable leaks nothing", "return getmetatable('').__index.dump == nil"),
        ("yield out of the run", "return not pcall(coroutine.yield, 1)"),
        ("top-level yield", "return select('#', pcall(coroutine.yield)) == 2"),
        ("os.date invalid conversion", "return not pcall(os.date, '%Ez')"),
        ("os.time out of range", "return not pcall(os.time, {year = 2^62, month = 1, day = 1})"),
        ("string.format huge width", "return not pcall(string.format, '%99999d', 1)"),
        ("string.rep of a terabyte", "return not pcall(string.rep, 'x', 1 << 40)"),
        ("json array metatable is protected", "return not pcall(setmetatable, json.array(), {}) and getmetatable(json.array()) == 'json.array'"),
        ("host functions are not introspectable", "return debug == nil and string.dump == nil"),
        ("load of text still works", "return load('return 1 + 1')() == 2"),
    ]

    @Test("escape attempts all fail", arguments: SandboxTests.escapeAttempts.indices)
    func escape(index: Int) async throws {
        let (name, source) = Self.escapeAttempts[index]
        let values = try await run(source, limits: LuaLimits(memory: 64 << 20, deadline: .seconds(5)))
        #expect(values == [true], "\(name)")
    }

    @Test("at least 30 distinct escape attempts are checked")
    func attemptCount() {
        #expect(Self.escapeAttempts.count >= 30)
    }

    @Test("nothing of another run is reachable")
    func isolation() async throws {
        _ = try await run("secret = 'from run one'; string.leak = 'x'")
        let values = try await run("return secret, string.leak")
        #expect(values == [.nil, .nil])
    }

    @Test("the trusted profile opens the full library")
    func trusted() async throws {
        let values = try await run("return io ~= nil, os.getenv ~= nil, debug ~= nil, string.dump ~= nil", profile: .trusted)
        #expect(values == [true, true, true, true])
    }

    @Test("the sandboxed os keeps time, clock, date and difftime")
    func osSubset() async throws {
        let values = try await run("return type(os.time()), type(os.clock()), os.date('!%Y', 0), os.difftime(10, 4)")
        #expect(values == ["number", "number", "1970", 6.0])
    }
}
