import Foundation
import LuaKit
import LunasRuntime
import Testing

/// Runs Lua checks against the stdlib through a real ``Runtime``: the chunk calls `eq(got, want)`
/// and `fails(pattern, f, ...)`, and each failed check comes back as "spec.lua:N: ..." (N counts
/// the prelude's lines too).
enum StdlibCheck {
    static func runtime(timeZone: String? = nil) -> Runtime {
        var lunas = LunasConfiguration()
        lunas.timeZone = timeZone
        return Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, lunas: lunas))
    }

    static let prelude = """
        local failures = {}
        local function here() local _, at = pcall(error, "", 4) return at end
        local function show(v) return type(v) == "string" and string.format("%q", v) or tostring(v) end
        function eq(got, want)
          if got ~= want then failures[#failures + 1] = here() .. " got " .. show(got) .. ", want " .. show(want) end
        end
        function fails(pattern, f, ...)
          local ok, e = pcall(f, ...)
          if ok then failures[#failures + 1] = here() .. " no error, want one matching " .. pattern
          elseif not tostring(e):find(pattern, 1, true) then failures[#failures + 1] = here() .. " error " .. show(tostring(e)) .. ", want one containing " .. pattern end
        end

        """

    /// The failed checks of `source` (empty when all pass), or the run's error.
    static func failures(_ source: String, timeZone: String? = nil) async -> [String] {
        let result = await runtime(timeZone: timeZone).run(RunRequest(
            source: .text(prelude + source + "\nreturn table.concat(failures, \"\\n\")", chunkName: "spec.lua"), output: RunTranscript().output))
        guard case .ok(let values) = result.outcome else { return ["the run failed: \(result.outcome)"] }
        let text = values.first?.stringValue ?? "no result"
        return text.isEmpty ? [] : text.split(separator: "\n").map(String.init)
    }
}

@Suite("stdlib: lunas.money")
struct StdlibMoneyTests {
    @Test("money(x): decimal strings, integers of rupiah; floats and malformed input refused")
    func making() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            eq(tostring(money("125000.50")), "125000.50")
            eq(tostring(money(125000)), "125000.00")
            eq(tostring(money("1.250")), "1.25")
            eq(tostring(money("-0.5")), "-0.50")
            eq(tostring(money("007")), "7.00")
            eq(money("125000.50").sen, 12500050)
            eq(tostring(money.parse("Rp 1.250")), "1250.00")
            eq(tostring(money.parse("Rp 125.000,50")), "125000.50")
            eq(tostring(money.parse("-Rp 1.250.000,5")), "-1250000.50")
            eq(tostring(money.parse("Rp125.000,-")), "125000.00")
            eq(tostring(money.parse("1250")), "1250.00")
            fails('money: 1.5 is a float', money, 1.5)
            fails('money: 5.0 is a float', money, 5.0)
            fails('money: "1.255" is not a decimal amount', money, "1.255")
            fails('money: "abc" is not a decimal amount', money, "abc")
            fails('money: "12." is not a decimal amount', money, "12.")
            fails('money: " 12" is not a decimal amount', money, " 12")
            fails('money: cannot make an amount of a boolean', money, true)
            fails('money.parse: "Rp 12.50" is not an amount', money.parse, "Rp 12.50")
            fails('money.parse: "Rp 1.2345" is not an amount', money.parse, "Rp 1.2345")
            fails('money.parse: "--Rp 5" is not an amount', money.parse, "--Rp 5")
            local ok, e = pcall(function() local m = money("1.255") return m end)
            eq(e:match("^spec.lua:%d+:") ~= nil, true)
            eq(getmetatable(money(1)), "lunas.money")
            fails("money values cannot be changed", function() money(1).sen = 5 end)
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("tostring and format: the API's form and Indonesian rupiah")
    func formatting() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            eq(money("125000.50"):format(), "Rp 125.000,50")
            eq(money(125000):format(), "Rp 125.000")
            eq(money("-125000"):format(), "-Rp 125.000")
            eq(money("-0.05"):format(), "-Rp 0,05")
            eq(money(0):format(), "Rp 0")
            eq(money("999"):format(), "Rp 999")
            eq(money("1000"):format(), "Rp 1.000")
            eq(money("1000000000000000"):format(), "Rp 1.000.000.000.000.000")
            eq(tostring(money("-1000000000000000.01")), "-1000000000000000.01")
            eq(money.parse(money("1234567.89"):format()), money("1234567.89"))
            eq(money.parse(money("-1234567"):format()), money("-1234567"))
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("+ - == < <= between amounts; with a plain number they raise; money(5) == 5 is false")
    func arithmetic() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            eq(tostring(money(1) + money("0.50")), "1.50")
            eq(tostring(money(1) - money("2.25")), "-1.25")
            eq(money(5) == money("5.00"), true)
            eq(money(5) == 5, false)
            eq(money(5) ~= money(6), true)
            eq(money(1) < money(2), true)
            eq(money(2) <= money(2), true)
            eq(money("-1") < money(0), true)
            eq(money(3) > money(2), true)
            fails("money: cannot compare the number 5 and a money value", function() return money(1) < 5 end)
            fails("money: cannot compare the number 5 and a money value", function() return 5 <= money(1) end)
            fails("money: cannot add the number 5 and a money value", function() return money(1) + 5 end)
            fails("money: cannot subtract the number 5 and a money value", function() return 5 - money(1) end)
            fails("money: cannot add a string and a money value", function() return money(1) + "5" end)
            eq(tostring(money.sum({ money(1), "2.50", 3 })), "6.50")
            eq(tostring(money.sum({})), "0.00")
            fails("money: 1.5 is a float", money.sum, { 1.5 })
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("every rounding mode, ties included, for round and mul")
    func rounding() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            local function r(s, mode) return tostring(money(s):round(0, mode)) end
            -- half_even: ties to even
            eq(r("2.50"), "2.00") eq(r("3.50"), "4.00") eq(r("-2.50"), "-2.00") eq(r("-3.50"), "-4.00") eq(r("2.51"), "3.00") eq(r("2.49"), "2.00")
            -- half_up: ties away from zero
            eq(r("2.50", "half_up"), "3.00") eq(r("-2.50", "half_up"), "-3.00") eq(r("2.49", "half_up"), "2.00")
            -- down: toward zero; up: away from zero
            eq(r("2.99", "down"), "2.00") eq(r("-2.99", "down"), "-2.00") eq(r("2.01", "up"), "3.00") eq(r("-2.01", "up"), "-3.00")
            eq(r("2.00", "up"), "2.00") eq(r("-2.00", "down"), "-2.00")
            eq(tostring(money("123456.78"):round(-3)), "123000.00")
            eq(tostring(money("122500"):round(-3)), "122000.00")
            eq(tostring(money("123500"):round(-3)), "124000.00")
            eq(tostring(money("1234567.89"):round(-3, "up")), "1235000.00")
            eq(tostring(money("1.25"):round(1)), "1.20")
            eq(tostring(money("1.35"):round(1)), "1.40")
            eq(tostring(money("1.25"):round(2)), "1.25")
            fails("money:round: unknown rounding mode \\"nearest\\"", function() return money(1):round(0, "nearest") end)
            fails("money:round: places must be an integer from -15 to 2", function() return money(1):round(3) end)
            -- mul: 0.01 * 0.5 = 0.005 sen-tie
            eq(tostring(money("0.01"):mul("0.5")), "0.00")
            eq(tostring(money("0.03"):mul("0.5")), "0.02")
            eq(tostring(money("0.01"):mul("0.5", "half_up")), "0.01")
            eq(tostring(money("-0.01"):mul("0.5", "half_up")), "-0.01")
            eq(tostring(money("-0.01"):mul("0.5", "up")), "-0.01")
            eq(tostring(money("0.01"):mul("0.999999", "down")), "0.00")
            eq(tostring(money("0.01"):mul("0.000001", "up")), "0.01")
            eq(tostring(money("125000"):mul("0.11")), "13750.00")
            eq(tostring(money("99.99"):mul(3)), "299.97")
            eq(tostring(money("99.99"):mul(-3)), "-299.97")
            eq(tostring(money("-10"):mul("-1.5")), "15.00")
            eq(tostring(money("10"):mul("2")), "20.00")
            fails("money:mul: 1.5 is not an integer or a decimal string of up to 6 decimals (floats are refused)", function() return money(1):mul(1.5) end)
            fails('money:mul: "0.1234567" is not an integer or a decimal string of up to 6 decimals', function() return money(1):mul("0.1234567") end)
            fails('money:mul: unknown rounding mode "nope"', function() return money(1):mul(2, "nope") end)
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("exact to 10^15 rupiah, multiplication included; overflow is an error naming the value")
    func bigAmounts() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            local big = money("1000000000000000.00")
            eq(tostring(big + money("0.01")), "1000000000000000.01")
            eq(tostring(big:mul("1.5")), "1500000000000000.00")
            eq(tostring(big:mul("0.000001")), "1000000000.00")
            eq(tostring(money("999999999999999.99"):mul("9.999999")), "9999998999999999.90")
            eq(tostring(money("999999999999999.99"):mul("0.333333")), "333333000000000.00")
            eq(tostring(money("123456789012345.67"):mul("7.654321")), "944977892729766.72")
            eq(tostring(big:mul(-9)), "-9000000000000000.00")
            eq(tostring(money(0):mul("123456789012345678")), "0.00")
            fails("money: 1000000000000000.00 * 10 overflows (the limit is ±9999999999999999.99)", function() return big:mul(10) end)
            fails("money: 9999999999999999.99 + 0.01 overflows", function() return money("9999999999999999.99") + money("0.01") end)
            fails("money: -9999999999999999.99 - 0.01 overflows", function() return money("-9999999999999999.99") - money("0.01") end)
            fails('money: "10000000000000000" overflows', money, "10000000000000000")
            fails("money: 10000000000000000 rupiah overflows", money, 10000000000000000)
            fails("money: 9999999999999999.99 rounded to 0 places overflows", function() return money("9999999999999999.99"):round(0, "up") end)
            fails("money: the sum", money.sum, { "9999999999999999.99", 1 })
            local ok, e = pcall(function() local m = big:mul(10) return m end)
            eq(e:match("^spec.lua:%d+: ") ~= nil, true)
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("allocate: largest remainder in sen, earlier parts first on ties, parts sum to the whole")
    func allocation() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            local function parts(total, ratios)
              local list, shown = money(total):allocate(ratios), {}
              for i, p in ipairs(list) do shown[i] = tostring(p) end
              eq(money.sum(list), money(total))
              return table.concat(shown, " ")
            end
            eq(parts("100", { 1, 1, 1 }), "33.34 33.33 33.33")
            eq(parts("0.05", { 3, 1, 1 }), "0.03 0.01 0.01")
            eq(parts("-0.05", { 3, 1, 1 }), "-0.03 -0.01 -0.01")
            eq(parts("0.02", { 1, 1, 1 }), "0.01 0.01 0.00")
            eq(parts("10", { 1, 0, 1 }), "5.00 0.00 5.00")
            eq(parts("0.01", { 1, 2 }), "0.00 0.01")
            eq(parts("9999999999999999.99", { 7, 3, 1 }), "6363636363636363.63 2727272727272727.27 909090909090909.09")
            for total = 0, 200, 7 do
              for _, ratios in ipairs({ { 1, 2, 3 }, { 5, 5 }, { 1, 1, 1, 1, 1, 1, 1 }, { 999999, 1 } }) do
                local list = money(("%d.%02d"):format(total // 100, total % 100)):allocate(ratios)
                eq(money.sum(list).sen, total)
              end
            end
            fails("money:allocate: ratio 2 is -1", function() return money(1):allocate({ 1, -1 }) end)
            fails("money:allocate: ratio 1 is 0.5", function() return money(1):allocate({ 0.5 }) end)
            fails("money:allocate: the ratios add up to 0", function() return money(1):allocate({ 0, 0 }) end)
            fails("money:allocate: ratios must be a non-empty list", function() return money(1):allocate({}) end)
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test("a money value crosses json and kv as its decimal string")
    func crossing() async {
        let failures = await StdlibCheck.failures("""
            local money = require "lunas.money"
            eq(json.encode({ total = money("125000.5"), lines = { money(1), money("-0.01") } }, { sort_keys = true }),
              '{"lines":["1.00","-0.01"],"total":"125000.50"}')
            eq(json.encode(money(7)), '"7.00"')
            eq(money(json.decode(json.encode(money("42.42")))), money("42.42"))
            """)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
