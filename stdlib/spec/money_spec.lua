local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local money = require "lunas.money"

local function s(x) return tostring(x) end

describe("lunas.money", function()
  describe("making amounts", function()
    it("takes decimal strings and integers of rupiah", function()
      expect(s(money("125000.50"))).to_equal("125000.50")
      expect(s(money(125000))).to_equal("125000.00")
      expect(s(money("1.250"))).to_equal("1.25")
      expect(s(money("-0.5"))).to_equal("-0.50")
      expect(s(money("007"))).to_equal("7.00")
      expect(s(money("+7.1"))).to_equal("7.10")
      expect(money("125000.50").sen).to_equal(12500050)
      local m = money(1)
      expect(rawequal(money(m), m)).to_be_truthy()
    end)

    it("parses amounts as people write them in Indonesia", function()
      expect(s(money.parse("Rp 1.250"))).to_equal("1250.00")
      expect(s(money.parse("Rp 125.000,50"))).to_equal("125000.50")
      expect(s(money.parse("-Rp 1.250.000,5"))).to_equal("-1250000.50")
      expect(s(money.parse("Rp125.000,-"))).to_equal("125000.00")
      expect(s(money.parse("1250"))).to_equal("1250.00")
      expect(s(money.parse("rp. 5"))).to_equal("5.00")
    end)

    it("refuses floats and malformed input, naming the value", function()
      expect(function() money(1.5) end).to_error("money: 1.5 is a float")
      expect(function() money(5.0) end).to_error("money: 5.0 is a float")
      expect(function() money("1.255") end).to_error('money: "1.255" is not a decimal amount')
      expect(function() money("abc") end).to_error('money: "abc" is not a decimal amount')
      expect(function() money("12.") end).to_error('money: "12." is not a decimal amount')
      expect(function() money(" 12") end).to_error('money: " 12" is not a decimal amount')
      expect(function() money(true) end).to_error("money: cannot make an amount of a boolean")
      expect(function() money() end).to_error('money: expected an amount, e.g. money("125000.50")')
      expect(function() money.parse("Rp 12.50") end).to_error('money.parse: "Rp 12.50" is not an amount')
      expect(function() money.parse("Rp 1.2345") end).to_error('money.parse: "Rp 1.2345" is not an amount')
      expect(function() money.parse("--Rp 5") end).to_error('money.parse: "--Rp 5" is not an amount')
      expect(function() money.parse(5) end).to_error("money.parse: expected a string, got number")
    end)

    it("names the caller's line in its errors", function()
      local _, e = pcall(function() local m = money("1.255") return m end)
      expect(e).to_contain("money_spec.lua:")
    end)

    it("makes values that cannot be changed, with a protected metatable", function()
      expect(getmetatable(money(1))).to_equal("lunas.money")
      expect(function() money(1).sen = 5 end).to_error("money values cannot be changed")
    end)
  end)

  describe("tostring and format", function()
    it("writes the API's form and Indonesian rupiah", function()
      expect(money("125000.50"):format()).to_equal("Rp 125.000,50")
      expect(money(125000):format()).to_equal("Rp 125.000")
      expect(money("-125000"):format()).to_equal("-Rp 125.000")
      expect(money("-0.05"):format()).to_equal("-Rp 0,05")
      expect(money(0):format()).to_equal("Rp 0")
      expect(money("999"):format()).to_equal("Rp 999")
      expect(money("1000"):format()).to_equal("Rp 1.000")
      expect(money("1000000000000000"):format()).to_equal("Rp 1.000.000.000.000.000")
      expect(s(money("-1000000000000000.01"))).to_equal("-1000000000000000.01")
      expect(s(money("-0.00"))).to_equal("0.00")
    end)

    it("parses back what format writes", function()
      expect(money.parse(money("1234567.89"):format())).to_equal(money("1234567.89"))
      expect(money.parse(money("-1234567"):format())).to_equal(money("-1234567"))
    end)
  end)

  describe("operators", function()
    it("adds, subtracts and compares amounts", function()
      expect(s(money(1) + money("0.50"))).to_equal("1.50")
      expect(s(money(1) - money("2.25"))).to_equal("-1.25")
      expect(money(5) == money("5.00")).to_equal(true)
      expect(money(5) ~= money(6)).to_equal(true)
      expect(money(1) < money(2)).to_equal(true)
      expect(money(2) <= money(2)).to_equal(true)
      expect(money("-1") < money(0)).to_equal(true)
      expect(money(3) > money(2)).to_equal(true)
    end)

    it("is never equal to a plain number, and raises when mixed with one", function()
      expect(money(5) == 5).to_equal(false)
      expect(function() return money(1) < 5 end).to_error("money: cannot compare the number 5 and a money value")
      expect(function() return 5 <= money(1) end).to_error("money: cannot compare the number 5 and a money value")
      expect(function() return money(1) + 5 end).to_error("money: cannot add the number 5 and a money value")
      expect(function() return 5 - money(1) end).to_error("money: cannot subtract the number 5 and a money value")
      expect(function() return money(1) + "5" end).to_error("money: cannot add a string and a money value")
    end)

    it("sums a list", function()
      expect(s(money.sum({ money(1), "2.50", 3 }))).to_equal("6.50")
      expect(s(money.sum({}))).to_equal("0.00")
      expect(function() money.sum({ 1.5 }) end).to_error("money: 1.5 is a float")
      expect(function() money.sum("1,2") end).to_error("money.sum: expected a list, got string")
    end)
  end)

  describe("rounding", function()
    local function r(x, mode) return s(money(x):round(0, mode)) end

    it("half_even: ties to the even neighbour (the default)", function()
      expect(r("2.50")).to_equal("2.00")
      expect(r("3.50")).to_equal("4.00")
      expect(r("-2.50")).to_equal("-2.00")
      expect(r("-3.50")).to_equal("-4.00")
      expect(r("2.51")).to_equal("3.00")
      expect(r("2.49")).to_equal("2.00")
    end)

    it("half_up: ties away from zero", function()
      expect(r("2.50", "half_up")).to_equal("3.00")
      expect(r("-2.50", "half_up")).to_equal("-3.00")
      expect(r("2.49", "half_up")).to_equal("2.00")
      expect(r("-2.49", "half_up")).to_equal("-2.00")
    end)

    it("down: toward zero; up: away from zero", function()
      expect(r("2.99", "down")).to_equal("2.00")
      expect(r("-2.99", "down")).to_equal("-2.00")
      expect(r("2.01", "up")).to_equal("3.00")
      expect(r("-2.01", "up")).to_equal("-3.00")
      expect(r("2.00", "up")).to_equal("2.00")
      expect(r("-2.00", "down")).to_equal("-2.00")
    end)

    it("rounds to thousands of rupiah and to tenths", function()
      expect(s(money("123456.78"):round(-3))).to_equal("123000.00")
      expect(s(money("122500"):round(-3))).to_equal("122000.00")
      expect(s(money("123500"):round(-3))).to_equal("124000.00")
      expect(s(money("1234567.89"):round(-3, "up"))).to_equal("1235000.00")
      expect(s(money("1.25"):round(1))).to_equal("1.20")
      expect(s(money("1.35"):round(1))).to_equal("1.40")
      expect(s(money("1.25"):round(2))).to_equal("1.25")
      expect(function() return money("9999999999999999.99"):round(-15) end).to_error("money: 9999999999999999.99 rounded to -15 places overflows")
      expect(s(money("4999999999999999.99"):round(-15))).to_equal("5000000000000000.00")
    end)

    it("names a bad mode or place", function()
      expect(function() return money(1):round(0, "nearest") end).to_error('money:round: unknown rounding mode "nearest"')
      expect(function() return money(1):round(3) end).to_error("money:round: places must be an integer from -15 to 2")
      expect(function() return money(1):round(-16) end).to_error("money:round: places must be an integer from -15 to 2")
    end)
  end)

  describe("mul", function()
    it("rounds ties of a sen by each mode", function()
      expect(s(money("0.01"):mul("0.5"))).to_equal("0.00")
      expect(s(money("0.03"):mul("0.5"))).to_equal("0.02")
      expect(s(money("0.01"):mul("0.5", "half_up"))).to_equal("0.01")
      expect(s(money("-0.01"):mul("0.5", "half_up"))).to_equal("-0.01")
      expect(s(money("-0.01"):mul("0.5", "up"))).to_equal("-0.01")
      expect(s(money("-0.01"):mul("0.5", "down"))).to_equal("0.00")
      expect(s(money("0.01"):mul("0.999999", "down"))).to_equal("0.00")
      expect(s(money("0.01"):mul("0.000001", "up"))).to_equal("0.01")
    end)

    it("multiplies by integers and decimal strings, signs included", function()
      expect(s(money("125000"):mul("0.11"))).to_equal("13750.00")
      expect(s(money("125000.50"):mul("0.11"))).to_equal("13750.06")
      expect(s(money("99.99"):mul(3))).to_equal("299.97")
      expect(s(money("99.99"):mul(-3))).to_equal("-299.97")
      expect(s(money("-10"):mul("-1.5"))).to_equal("15.00")
      expect(s(money("10"):mul("2"))).to_equal("20.00")
      expect(s(money("10"):mul(0))).to_equal("0.00")
    end)

    it("refuses floats and factors of more than 6 decimals", function()
      expect(function() return money(1):mul(1.5) end).to_error("money:mul: 1.5 is not an integer or a decimal string of up to 6 decimals (floats are refused)")
      expect(function() return money(1):mul("0.1234567") end).to_error('money:mul: "0.1234567" is not an integer or a decimal string of up to 6 decimals')
      expect(function() return money(1):mul(2, "nope") end).to_error('money:mul: unknown rounding mode "nope"')
    end)
  end)

  describe("at 10^15 rupiah", function()
    local big = money("1000000000000000.00")

    it("stays exact, multiplication included", function()
      expect(s(big + money("0.01"))).to_equal("1000000000000000.01")
      expect(s(big:mul("1.5"))).to_equal("1500000000000000.00")
      expect(s(big:mul("0.000001"))).to_equal("1000000000.00")
      expect(s(money("999999999999999.99"):mul("9.999999"))).to_equal("9999998999999999.90")
      expect(s(money("999999999999999.99"):mul("0.333333"))).to_equal("333333000000000.00")
      expect(s(money("123456789012345.67"):mul("7.654321"))).to_equal("944977892729766.72")
      expect(s(big:mul(-9))).to_equal("-9000000000000000.00")
      expect(s(money(0):mul("123456789012345678"))).to_equal("0.00")
      expect(s(money("-9999999999999999.99") + money("9999999999999999.99"))).to_equal("0.00")
    end)

    it("raises on overflow, naming the values", function()
      expect(function() return big:mul(10) end).to_error("money: 1000000000000000.00 * 10 overflows (the limit is ±9999999999999999.99)")
      expect(function() return money("9999999999999999.99") + money("0.01") end).to_error("money: 9999999999999999.99 + 0.01 overflows")
      expect(function() return money("-9999999999999999.99") - money("0.01") end).to_error("money: -9999999999999999.99 - 0.01 overflows")
      expect(function() money("10000000000000000") end).to_error('money: "10000000000000000" overflows')
      expect(function() money(10000000000000000) end).to_error("money: 10000000000000000 rupiah overflows")
      expect(function() return money("9999999999999999.99"):round(0, "up") end).to_error("money: 9999999999999999.99 rounded to 0 places overflows")
      expect(function() money.sum({ "9999999999999999.99", 1 }) end).to_error("money: the sum")
      local _, e = pcall(function() local m = big:mul(10) return m end)
      expect(e).to_contain("money_spec.lua:")
    end)
  end)

  describe("allocate", function()
    local function parts(total, ratios)
      local list, shown = money(total):allocate(ratios), {}
      for i, p in ipairs(list) do shown[i] = s(p) end
      expect(money.sum(list)).to_equal(money(total))
      return table.concat(shown, " ")
    end

    it("gives the left-over sen to the largest remainders, the earlier part first on a tie", function()
      expect(parts("100", { 1, 1, 1 })).to_equal("33.34 33.33 33.33")
      expect(parts("0.05", { 3, 1, 1 })).to_equal("0.03 0.01 0.01")
      expect(parts("0.02", { 1, 1, 1 })).to_equal("0.01 0.01 0.00")
      expect(parts("10", { 1, 0, 1 })).to_equal("5.00 0.00 5.00")
      expect(parts("0.01", { 1, 2 })).to_equal("0.00 0.01")
      expect(parts("0", { 1, 2 })).to_equal("0.00 0.00")
    end)

    it("splits a negative amount as its magnitude, negated", function()
      expect(parts("-0.05", { 3, 1, 1 })).to_equal("-0.03 -0.01 -0.01")
      expect(parts("-100", { 1, 1, 1 })).to_equal("-33.34 -33.33 -33.33")
    end)

    it("never loses a sen, up to the largest amount", function()
      expect(parts("9999999999999999.99", { 7, 3, 1 })).to_equal("6363636363636363.63 2727272727272727.27 909090909090909.09")
      for total = 0, 200, 7 do
        for _, ratios in ipairs({ { 1, 2, 3 }, { 5, 5 }, { 1, 1, 1, 1, 1, 1, 1 }, { 999999, 1 } }) do
          local list = money(("%d.%02d"):format(total // 100, total % 100)):allocate(ratios)
          expect(money.sum(list).sen).to_equal(total)
        end
      end
    end)

    it("names bad ratios", function()
      expect(function() return money(1):allocate({ 1, -1 }) end).to_error("money:allocate: ratio 2 is -1")
      expect(function() return money(1):allocate({ 0.5 }) end).to_error("money:allocate: ratio 1 is 0.5")
      expect(function() return money(1):allocate({ 0, 0 }) end).to_error("money:allocate: the ratios add up to 0")
      expect(function() return money(1):allocate({}) end).to_error("money:allocate: ratios must be a non-empty list")
      expect(function() return money(1):allocate({ 1000000000, 1 }) end).to_error("money:allocate: the ratios add up to more than 10^9")
    end)
  end)

  describe("crossing json", function()
    it("is written as its decimal string", function()
      expect(json.encode({ total = money("125000.5"), lines = { money(1), money("-0.01") } }, { sort_keys = true })).to_equal(
        '{"lines":["1.00","-0.01"],"total":"125000.50"}')
      expect(json.encode(money(7))).to_equal('"7.00"')
      expect(money(json.decode(json.encode(money("42.42"))))).to_equal(money("42.42"))
    end)
  end)
end)

-- Property tests against an independent decimal implementation: amounts as strings of digits
-- (a magnitude in sen and a sign), added, multiplied and rounded digit by digit.
local D = {}

function D.strip(a) return (a:gsub("^0+", "")) ~= "" and (a:gsub("^0+", "")) or "0" end

function D.cmp(a, b)
  a, b = D.strip(a), D.strip(b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  return a < b and -1 or a > b and 1 or 0
end

function D.add(a, b)
  local out, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local v = (i > 0 and a:byte(i) - 48 or 0) + (j > 0 and b:byte(j) - 48 or 0) + carry
    out[#out + 1], carry = v % 10, v // 10
    i, j = i - 1, j - 1
  end
  return D.strip(table.concat(out):reverse())
end

function D.sub(a, b) -- a >= b
  local out, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local v = a:byte(i) - 48 - (j > 0 and b:byte(j) - 48 or 0) - borrow
    if v < 0 then v, borrow = v + 10, 1 else borrow = 0 end
    out[#out + 1] = v
    i, j = i - 1, j - 1
  end
  return D.strip(table.concat(out):reverse())
end

function D.mul(a, b)
  local acc = {}
  for i = 1, #a + #b do acc[i] = 0 end
  for i = #a, 1, -1 do
    for j = #b, 1, -1 do
      local k = (#a - i) + (#b - j) + 1
      acc[k] = acc[k] + (a:byte(i) - 48) * (b:byte(j) - 48)
    end
  end
  local out, carry = {}, 0
  for k = 1, #acc do
    local v = acc[k] + carry
    out[k], carry = v % 10, v // 10
  end
  while carry > 0 do out[#out + 1], carry = carry % 10, carry // 10 end
  return D.strip(table.concat(out):reverse())
end

function D.divmod(a, d) -- a digit string by a small integer
  local out, r = {}, 0
  for i = 1, #a do
    r = r * 10 + a:byte(i) - 48
    out[i], r = r // d, r % d
  end
  return D.strip(table.concat(out)), r
end

-- A signed value { neg, mag } plus another.
function D.signed_add(x, y)
  if x.neg == y.neg then return { neg = x.neg, mag = D.add(x.mag, y.mag) } end
  local c = D.cmp(x.mag, y.mag)
  if c == 0 then return { neg = false, mag = "0" } end
  if c > 0 then return { neg = x.neg, mag = D.sub(x.mag, y.mag) } end
  return { neg = y.neg, mag = D.sub(y.mag, x.mag) }
end

-- The magnitude a with its last k digits rounded away by mode (the sign does not matter: every
-- mode is symmetric around zero).
function D.drop(a, k, mode)
  if k == 0 then return a end
  a = string.rep("0", k + 1 - #a) .. a
  local q, r = a:sub(1, #a - k), a:sub(#a - k + 1)
  local half = "5" .. string.rep("0", k - 1)
  local zero = not r:find("[1-9]")
  local up
  if mode == "down" then up = false
  elseif mode == "up" then up = not zero
  elseif mode == "half_up" then up = r >= half
  else up = r > half or (r == half and (q:byte(#q) - 48) % 2 == 1) end
  return up and D.add(q, "1") or D.strip(q)
end

local LIMIT = "999999999999999999"

function D.text(x)
  if D.cmp(x.mag, LIMIT) > 0 then return "overflows" end
  local m = string.rep("0", 3 - #x.mag) .. x.mag
  local sign = (x.neg and x.mag ~= "0") and "-" or ""
  return sign .. m:sub(1, #m - 2) .. "." .. m:sub(-2)
end

function D.format(x)
  local m = string.rep("0", 3 - #x.mag) .. x.mag
  local whole, frac = m:sub(1, #m - 2), m:sub(-2)
  local groups = {}
  while #whole > 3 do table.insert(groups, 1, whole:sub(-3)) whole = whole:sub(1, -4) end
  table.insert(groups, 1, whole)
  local s = "Rp " .. table.concat(groups, ".") .. (frac ~= "00" and "," .. frac or "")
  return (x.neg and x.mag ~= "0") and "-" .. s or s
end

local function digits(n, first_nonzero)
  local out = {}
  for i = 1, n do out[i] = tostring(math.random(i == 1 and first_nonzero and 1 or 0, 9)) end
  return table.concat(out)
end

-- A random amount up to 10^16 rupiah: its decimal string and the reference value.
local function amount()
  local mag = D.strip(digits(math.random(1, 18)))
  local x = { neg = math.random() < 0.4 and mag ~= "0", mag = mag }
  local m = string.rep("0", 3 - #mag) .. mag
  return (x.neg and "-" or "") .. m:sub(1, -3) .. "." .. m:sub(-2), x
end

-- A random factor: an integer, or a decimal string of up to 6 decimals; its digits and places.
local function factor()
  local neg = math.random() < 0.3
  if math.random() < 0.2 then -- factors that make ties of half a sen
    local text = ({ "0.5", "1.5", "0.25", "0.125", "2.5", "0.005" })[math.random(1, 6)]
    local places = #text:match("%.(%d+)")
    return (neg and "-" or "") .. text, { neg = neg, mag = D.strip((text:gsub("%.", ""))) }, places
  end
  if math.random() < 0.3 then
    local n = math.random(0, ({ 1, 10, 100, 1000, 10000, 100000, 1000000 })[math.random(1, 7)])
    return neg and -n or n, { neg = neg and n ~= 0, mag = tostring(n) }, 0
  end
  local places = math.random(1, 6)
  local whole, frac = D.strip(digits(math.random(1, 4))), digits(places)
  local text = (neg and "-" or "") .. whole .. "." .. frac
  local mag = D.strip(whole .. frac)
  return text, { neg = neg and mag ~= "0", mag = mag }, places
end

local function outcome(f)
  local ok, v = pcall(f)
  if ok then return tostring(v) end
  v = tostring(v)
  return v:find("overflows", 1, true) and "overflows" or v
end

local MODES = { "half_even", "half_up", "down", "up" }
local seed = os.time()
math.randomseed(seed)
local CASES = 300

describe("lunas.money against a decimal reference (seed " .. seed .. ")", function()
  it("reads and writes amounts", function()
    for i = 1, CASES do
      local a, x = amount()
      local label = ("seed %d case %d: money(%q) -> "):format(seed, i, a)
      expect(label .. tostring(money(a))).to_equal(label .. D.text(x))
      expect(label .. money(a):format()).to_equal(label .. D.format(x))
      expect(label .. tostring(money.parse(money(a):format()))).to_equal(label .. D.text(x))
    end
  end)

  it("adds, subtracts and compares", function()
    for i = 1, CASES do
      local a, x = amount()
      local b, y = amount()
      local label = ("seed %d case %d: %s, %s -> "):format(seed, i, a, b)
      local minus_y = { neg = not y.neg and y.mag ~= "0", mag = y.mag }
      local diff = D.signed_add(x, minus_y)
      local want_lt = (diff.neg and diff.mag ~= "0")
      expect(label .. outcome(function() return money(a) + money(b) end)).to_equal(label .. D.text(D.signed_add(x, y)))
      expect(label .. outcome(function() return money(a) - money(b) end)).to_equal(label .. D.text(diff))
      expect(label .. tostring(money(a) < money(b))).to_equal(label .. tostring(want_lt))
      expect(label .. tostring(money(a) <= money(b))).to_equal(label .. tostring(want_lt or diff.mag == "0"))
      expect(label .. tostring(money(a) == money(b))).to_equal(label .. tostring(diff.mag == "0"))
    end
  end)

  it("multiplies, rounding to the sen by every mode", function()
    for i = 1, CASES do
      local a, x = amount()
      local f, y, places = factor()
      for _, mode in ipairs(MODES) do
        local label = ("seed %d case %d: money(%q):mul(%s, %q) -> "):format(seed, i, a, type(f) == "string" and ("%q"):format(f) or f, mode)
        local want = D.text({ neg = x.neg ~= y.neg, mag = D.drop(D.mul(x.mag, y.mag), places, mode) })
        expect(label .. outcome(function() return money(a):mul(f, mode) end)).to_equal(label .. want)
      end
    end
  end)

  it("rounds to every place by every mode", function()
    for i = 1, CASES do
      local a, x = amount()
      local places = math.random(-15, 2)
      local mode = MODES[math.random(1, 4)]
      local k = 2 - places
      if k > 0 and #x.mag > k and math.random() < 0.4 then -- a tie: the dropped digits are 50...0
        x.mag = x.mag:sub(1, -k - 1) .. "5" .. string.rep("0", k - 1)
        a = D.text(x)
      end
      local label = ("seed %d case %d: money(%q):round(%d, %q) -> "):format(seed, i, a, places, mode)
      local want = D.text({ neg = x.neg, mag = D.strip(D.drop(x.mag, k, mode) .. string.rep("0", k)) })
      expect(label .. outcome(function() return money(a):round(places, mode) end)).to_equal(label .. want)
    end
  end)

  it("allocates by the largest remainder, never losing a sen", function()
    for i = 1, CASES do
      local a, x = amount()
      local ratios, total = {}, 0
      for j = 1, math.random(1, 6) do ratios[j] = math.random(0, 1000) total = total + ratios[j] end
      if total == 0 then ratios[1], total = 1, 1 end
      local shares, rems, sum = {}, {}, "0"
      for j, w in ipairs(ratios) do
        shares[j], rems[j] = D.divmod(D.mul(x.mag, tostring(w)), total)
        sum = D.add(sum, shares[j])
      end
      local order = {}
      for j in ipairs(ratios) do order[j] = j end
      table.sort(order, function(p, q) return rems[p] > rems[q] or (rems[p] == rems[q] and p < q) end)
      for k = 1, tonumber(D.sub(x.mag, sum)) do shares[order[k]] = D.add(shares[order[k]], "1") end
      local want = {}
      for j, share in ipairs(shares) do want[j] = D.text({ neg = x.neg, mag = share }) end
      local got = {}
      for j, p in ipairs(money(a):allocate(ratios)) do got[j] = tostring(p) end
      local label = ("seed %d case %d: money(%q):allocate({%s}) -> "):format(seed, i, a, table.concat(ratios, ", "))
      expect(label .. table.concat(got, " ")).to_equal(label .. table.concat(want, " "))
    end
  end)
end)
