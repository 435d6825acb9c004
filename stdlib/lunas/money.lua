-- lunas.money: exact decimal rupiah, held as an integer count of sen (never a float).
-- See docs/stdlib.md.

local math_type, tostring, tonumber, type, error, setmetatable, rawget, select =
  math.type, tostring, tonumber, type, error, setmetatable, rawget, select
local format, rep = string.format, string.rep

local MAX = 999999999999999999 -- sen: ±9 999 999 999 999 999.99 rupiah, so a + b never wraps
local SEN = {} -- private key of a value's amount

local money = {}
local methods = {}
local mt = {
  __metatable = "lunas.money",
  __index = function(m, key)
    if key == "sen" then return rawget(m, SEN) end
    return methods[key]
  end,
  __newindex = function() error("money values cannot be changed; make a new one", 2) end,
}

local function is_money(x) return type(x) == "table" and rawget(x, SEN) ~= nil end

local function show(x)
  if type(x) == "string" then return format("%q", x) end
  return tostring(x)
end

local function text(sen)
  local sign = sen < 0 and "-" or ""
  if sen < 0 then sen = -sen end
  return format("%s%d.%02d", sign, sen // 100, sen % 100)
end

-- A value of sen, or an overflow error naming what(), raised at level (of make's caller).
local function make(sen, what, level)
  if sen > MAX or sen < -MAX then
    error(("money: %s overflows (the limit is ±%s)"):format(what(), text(MAX)), (level or 2) + 1)
  end
  return setmetatable({ [SEN] = sen }, mt)
end

-- "-0012.3400" -> negative, "12", "3400"; nil when it is not a plain decimal.
local function decimal(s)
  local sign, whole, frac = s:match("^([+-]?)(%d+)%.(%d+)$")
  if not sign then
    sign, whole = s:match("^([+-]?)(%d+)$")
    frac = ""
  end
  if not sign then return nil end
  return sign == "-", (whole:gsub("^0+(%d)", "%1")), frac
end

-- whole rupiah and decimals as written -> sen, or nil when the decimals go past sen.
local function to_sen(negative, whole, frac, shown, level)
  if frac:sub(3):find("[1-9]") then return nil end
  if #whole > 16 then error(("money: %s overflows (the limit is ±%s)"):format(shown, text(MAX)), level + 1) end
  local sen = tonumber(whole) * 100 + tonumber((frac .. "00"):sub(1, 2))
  return negative and -sen or sen
end

local function from_string(s, level)
  local negative, whole, frac = decimal(s)
  local sen = negative ~= nil and to_sen(negative, whole, frac, format("%q", s), level)
  if not sen then
    error(("money: %q is not a decimal amount of rupiah with at most 2 decimals (e.g. \"125000.50\")"):format(s), level)
  end
  return (make(sen, function() return format("%q", s) end, level))
end

local function of(x, level)
  if is_money(x) then return x end
  if type(x) == "string" then return (from_string(x, level + 1)) end
  if math_type(x) == "integer" then
    if x > MAX // 100 or x < -(MAX // 100) then
      error(("money: %d rupiah overflows (the limit is ±%s)"):format(x, text(MAX)), level)
    end
    return setmetatable({ [SEN] = x * 100 }, mt)
  end
  if math_type(x) == "float" then
    error(("money: %s is a float; pass a decimal string (\"125000.50\") or an integer of rupiah"):format(tostring(x)), level)
  end
  error(("money: cannot make an amount of a %s"):format(type(x)), level)
end

local MODES = { half_even = true, half_up = true, down = true, up = true }

local function check_mode(mode, fname)
  mode = mode or "half_even"
  if not MODES[mode] then
    error(("%s: unknown rounding mode %s (modes: half_even, half_up, down, up)"):format(fname, show(mode)), 3)
  end
  return mode
end

-- Whether a magnitude's quotient q goes up by one, given its remainder against half a unit
-- (half: -1 below, 0 exactly, 1 above) and whether it is zero.
local function rounds_up(mode, q, half, zero)
  if zero or mode == "down" then return false end
  if mode == "up" then return true end
  if half ~= 0 then return half > 0 end
  return mode == "half_up" or q % 2 == 1
end

-- Little-endian base-10^6 limbs of a non-negative integer.
local BASE = 1000000
local function limbs(n)
  local t = {}
  repeat
    t[#t + 1] = n % BASE
    n = n // BASE
  until n == 0
  return t
end

-- The exact product of two non-negative integers, as decimal digits.
local function product_digits(a, b)
  local x, y, p = limbs(a), limbs(b), {}
  for i = 1, #x + #y do p[i] = 0 end
  for i = 1, #x do
    local carry = 0
    for j = 1, #y do
      local v = p[i + j - 1] + x[i] * y[j] + carry
      p[i + j - 1], carry = v % BASE, v // BASE
    end
    p[i + #y] = p[i + #y] + carry
  end
  local n = #p
  while n > 1 and p[n] == 0 do n = n - 1 end
  local parts = { tostring(p[n]) }
  for i = n - 1, 1, -1 do parts[#parts + 1] = format("%06d", p[i]) end
  return table.concat(parts)
end

function methods.mul(m, factor, mode)
  if not is_money(m) then error("money: call mul as m:mul(n)", 2) end
  mode = check_mode(mode, "money:mul")
  local negative, digits, places
  if math_type(factor) == "integer" then
    negative, digits, places = factor < 0, tostring(factor):gsub("^-", ""), 0
  elseif type(factor) == "string" then
    local whole, frac
    negative, whole, frac = decimal(factor)
    if negative == nil or #frac > 6 then
      error(("money:mul: %s is not an integer or a decimal string of up to 6 decimals"):format(show(factor)), 2)
    end
    digits, places = (whole .. frac):gsub("^0+(%d)", "%1"), #frac
  else
    error(("money:mul: %s is not an integer or a decimal string of up to 6 decimals (floats are refused)"):format(show(factor)), 2)
  end
  local overflow = function() return ("%s * %s"):format(text(m.sen), show(factor)) end
  if #digits > 18 then make(MAX + 1, overflow, 2) end
  local sen = m.sen
  local product = product_digits(sen < 0 and -sen or sen, tonumber(digits))
  product = rep("0", places + 1 - #product) .. product
  local q, r = product:sub(1, #product - places), product:sub(#product - places + 1)
  if #q > 18 then make(MAX + 1, overflow, 2) end
  local quotient = tonumber(q)
  local half = places == 0 and -1 or (r < "5" .. rep("0", places - 1) and -1 or r == "5" .. rep("0", places - 1) and 0 or 1)
  if rounds_up(mode, quotient, half, not r:find("[1-9]")) then quotient = quotient + 1 end
  if negative ~= (sen < 0) then quotient = -quotient end
  return (make(quotient, overflow, 2))
end

function methods.round(m, places, mode)
  if not is_money(m) then error("money: call round as m:round(places, mode)", 2) end
  if math_type(places) ~= "integer" or places > 2 or places < -15 then
    error(("money:round: places must be an integer from -15 to 2, got %s"):format(show(places)), 2)
  end
  mode = check_mode(mode, "money:round")
  local unit, sen = 1, m.sen
  for _ = places, 1 do unit = unit * 10 end
  local a = sen < 0 and -sen or sen
  local q, r = a // unit, a % unit
  local half = 2 * r < unit and -1 or 2 * r == unit and 0 or 1
  if rounds_up(mode, q, half, r == 0) then q = q + 1 end
  local rounded = q * unit
  return (make(sen < 0 and -rounded or rounded, function() return ("%s rounded to %d places"):format(text(sen), places) end, 2))
end

-- Largest remainder: each part gets its whole share of sen, then the sen left over go one each to
-- the parts with the largest remainders, the earlier part first on a tie.
function methods.allocate(m, ratios)
  if not is_money(m) then error("money: call allocate as m:allocate({3, 1, 1})", 2) end
  if type(ratios) ~= "table" or #ratios == 0 then error("money:allocate: ratios must be a non-empty list of integers", 2) end
  local total = 0
  for i, w in ipairs(ratios) do
    if math_type(w) ~= "integer" or w < 0 then
      error(("money:allocate: ratio %d is %s; ratios are integers of 0 or more"):format(i, show(w)), 2)
    end
    total = total + w
    if total > 1000000000 then error("money:allocate: the ratios add up to more than 10^9", 2) end
  end
  if total == 0 then error("money:allocate: the ratios add up to 0", 2) end
  local sen = m.sen
  local a = sen < 0 and -sen or sen
  local q, r = a // total, a % total
  local shares, order, left = {}, {}, a
  for i, w in ipairs(ratios) do
    local share = q * w + r * w // total
    shares[i], order[i], left = share, i, left - share
  end
  table.sort(order, function(i, j)
    local ri, rj = r * ratios[i] % total, r * ratios[j] % total
    return ri > rj or (ri == rj and i < j)
  end)
  for k = 1, left do shares[order[k]] = shares[order[k]] + 1 end
  local parts = {}
  for i, share in ipairs(shares) do parts[i] = setmetatable({ [SEN] = sen < 0 and -share or share }, mt) end
  return parts
end

local function grouped(whole)
  return (tostring(whole):reverse():gsub("(%d%d%d)", "%1."):reverse():gsub("^%.", ""))
end

function methods.format(m)
  if not is_money(m) then error("money: call format as m:format()", 2) end
  local sen = m.sen
  local a = sen < 0 and -sen or sen
  local s = "Rp " .. grouped(a // 100)
  if a % 100 ~= 0 then s = s .. format(",%02d", a % 100) end
  return sen < 0 and "-" .. s or s
end

local function operand(x, op)
  if is_money(x) then return x.sen end
  local what = type(x) == "number" and "the number " .. tostring(x) or "a " .. type(x)
  error(("money: cannot %s %s and a money value; make it one with money(x)"):format(op, what), 3)
end

mt.__tostring = function(m) return text(m.sen) end
mt.__json = mt.__tostring
mt.__eq = function(a, b) return is_money(a) and is_money(b) and a.sen == b.sen end
mt.__lt = function(a, b) return operand(a, "compare") < operand(b, "compare") end
mt.__le = function(a, b) return operand(a, "compare") <= operand(b, "compare") end
mt.__add = function(a, b)
  local x, y = operand(a, "add"), operand(b, "add")
  return (make(x + y, function() return text(x) .. " + " .. text(y) end, 2))
end
mt.__sub = function(a, b)
  local x, y = operand(a, "subtract"), operand(b, "subtract")
  return (make(x - y, function() return text(x) .. " - " .. text(y) end, 2))
end

-- "Rp 1.250.000,50", "-Rp 125.000", "Rp125.000,-", "Rp 1250": Indonesian, "." groups thousands.
function money.parse(s)
  if is_money(s) then return s end
  if type(s) ~= "string" then error(("money.parse: expected a string, got %s"):format(type(s)), 2) end
  local bad = function() error(("money.parse: %q is not an amount like \"Rp 125.000,50\""):format(s), 3) end
  local body = s:match("^%s*(.-)%s*$")
  local sign1, rest = body:match("^(-?)%s*(.*)$")
  rest = rest:gsub("^[Rr][Pp]%.?%s*", "")
  local sign2, number = rest:match("^(-?)(.*)$")
  if sign1 == "-" and sign2 == "-" then bad() end
  number = number:gsub(",%-$", "")
  local whole, frac = number:match("^([%d.]+),(%d+)$")
  if not whole then whole, frac = number:match("^([%d.]+)$"), "" end
  if not whole then bad() end
  if whole:find("%.") then
    local head, groups = whole:match("^(%d%d?%d?)(%..*)$")
    if not head or groups:gsub("%.%d%d%d", "") ~= "" then bad() end
    whole = head .. groups:gsub("%.", "")
  end
  local sen = to_sen(sign1 == "-" or sign2 == "-", (whole:gsub("^0+(%d)", "%1")), frac, format("%q", s), 2)
  if not sen then bad() end
  return (make(sen, function() return format("%q", s) end, 2))
end

function money.sum(list)
  if type(list) ~= "table" then error(("money.sum: expected a list, got %s"):format(type(list)), 2) end
  local total = 0
  for i = 1, #list do
    local x = of(list[i], 3).sen
    local before = total
    total = make(total + x, function() return ("the sum (%s + %s at item %d)"):format(text(before), text(x), i) end, 2).sen
  end
  return setmetatable({ [SEN] = total }, mt)
end

return setmetatable(money, {
  __call = function(_, ...)
    if select("#", ...) == 0 then error("money: expected an amount, e.g. money(\"125000.50\")", 2) end
    return (of((...), 3))
  end,
})
