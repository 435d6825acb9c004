import LuaKit
import Testing

@Suite("Step-budgeted pattern matching")
struct PatternTests {
    @Test("agrees with stock Lua's string functions on the corpus")
    func corpus() throws {
        let state = try LuaState(profile: .trusted)
        // Lua's own functions come from a second copy of the string library, opened through
        // the C entry point of the system's liblua5.4.
        _ = try state.call("""
            ours = { find = string.find, match = string.match, gmatch = string.gmatch, gsub = string.gsub }
            local open = assert(package.loadlib('liblua5.4.so.0', 'luaopen_string'))
            local lib = open()
            debug.setmetatable('', { __index = string })
            stock = { find = lib.find, match = lib.match, gmatch = lib.gmatch, gsub = lib.gsub }
            assert(stock.find ~= ours.find)
            """)
        let checked = try state.call(try luaResource("pattern_corpus.lua"), name: "@pattern_corpus.lua")
        #expect((checked.first?.integerValue ?? 0) >= 300)
    }

    @Test("every pattern function is stopped by the deadline", arguments: [
        "return ('a'):rep(600):find('.-.-.-b')",
        "return ('a'):rep(600):match('.-.-.-b')",
        "for m in ('a'):rep(600):gmatch('.-.-.-b') do end",
        "return ('a'):rep(600):gsub('.-.-.-b', 'x')",
    ])
    func stopped(source: String) async throws {
        // Unstopped, each of these runs for about 45 s; the overshoot past the deadline is
        // measured by the benchmark suite, not asserted here.
        let error = try await runError(source, limits: LuaLimits(deadline: .milliseconds(100)))
        #expect(error.kind == .limit(.deadline(.milliseconds(100))))
    }

    @Test("ordinary patterns work in the sandbox, through methods too")
    func ordinary() async throws {
        let values = try await run("""
            local s = 'ORD-2026-0042 paid'
            local id = s:match('^(ORD%-%d+%-%d+)')
            local n = select(2, s:gsub('%d', ''))
            local words = {} for w in s:gmatch('%a+') do words[#words + 1] = w end
            return id, n, table.concat(words, ','), s:find('paid', 1, true)
            """)
        #expect(values == ["ORD-2026-0042", 8, "ORD,paid", 15, 18])
    }
}
