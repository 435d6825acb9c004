-- Compares table.sort (ours, from tablesort.c) with the global `stock_sort` (Lua's own) over a
-- corpus of cases: random lists of integers, floats, strings and records with and without
-- comparators, patterned lists (sorted, reversed, all equal, organ pipes, sawtooth, ...),
-- lists behind proxies and __lt metamethods, argument errors, comparison errors, comparators
-- that raise, and inconsistent comparators.
-- A successful sort must leave a permutation of the list, in order for the comparator and
-- equivalent position by position to stock's result (the sort is not stable, so equal
-- elements may land in another order); an error must have stock's message. An inconsistent
-- comparator may raise "invalid order function for sorting" or return (stock does either,
-- depending on the input), but must leave a permutation.
-- Returns the number of cases checked; raises an error listing the failures otherwise.
-- Uses no io, os, debug or require.

local stock, ours = stock_sort, table.sort
assert(type(stock) == "function", "the global 'stock_sort' is needed")
assert(ours ~= stock, "table.sort is the stock function")

local format, concat, mtype = string.format, table.concat, math.type
local huge, maxinteger, mininteger = math.huge, math.maxinteger, math.mininteger

local failures, checked = {}, 0

local function fail(name, msg)
  failures[#failures + 1] = name .. ": " .. msg
end

-- ---- helpers ----

local seed = 20260415
local function rnd(n) -- 1 .. n
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed >> 4) % n + 1
end

local function copy(t, n)
  local c = {}
  for i = 1, n do c[i] = t[i] end
  return c
end

-- a key telling values apart exactly (1 and 1.0 differ; tables by identity)
local function vkey(v)
  local t = type(v)
  if v == nil then return "nil"
  elseif t == "number" then
    if mtype(v) == "integer" then return "i" .. v end
    if v ~= v then return "nan" end
    return "f" .. format("%a", v)
  elseif t == "string" then return "s" .. v
  else return v end
end

local function is_permutation(orig, t, n)
  local count = {}
  for i = 1, n do
    local k = vkey(orig[i])
    count[k] = (count[k] or 0) + 1
  end
  for i = 1, n do
    local k = vkey(t[i])
    if not count[k] or count[k] == 0 then return false end
    count[k] = count[k] - 1
  end
  return true
end

local function lt(a, b) return a < b end

local function errmsg(e)
  if type(e) ~= "string" then return "<" .. type(e) .. " error>" end
  return (string.gsub(e, "^[^\n]-:%d+: ", ""))
end

local function show(t, n)
  local parts = {}
  for i = 1, math.min(n, 12) do
    local v = t[i]
    parts[i] = type(v) == "table" and "{" .. tostring(v.k) .. "}" or tostring(v)
  end
  if n > 12 then parts[#parts + 1] = "..." end
  return "[" .. concat(parts, ",") .. "]"
end

-- Both functions are called through a local named `sort`, so that argument errors name it alike.
local function call_sort(sort, ...)
  sort(...)
end

-- Sorts a copy with each implementation; a success must be sorted, a permutation, and
-- equivalent to stock's result; an error must have stock's message. fresh, if given, makes
-- the comparator for each run (for comparators with state), and comp then only checks order.
local function check(name, list, n, comp, fresh)
  checked = checked + 1
  local a, b = copy(list, n), copy(list, n)
  local okS, errS = pcall(call_sort, stock, b, fresh and fresh() or comp)
  local okO, errO = pcall(call_sort, ours, a, fresh and fresh() or comp)
  if okS ~= okO or (not okO and errmsg(errS) ~= errmsg(errO)) then
    fail(name, format("n=%d stock %s, ours %s", n,
      okS and "ok" or "error: " .. errmsg(errS), okO and "ok" or "error: " .. errmsg(errO)))
    return
  end
  if not is_permutation(list, a, n) then
    fail(name, format("n=%d not a permutation: %s", n, show(a, n)))
    return
  end
  if not okO then return end
  local before = comp or lt
  for i = 1, n - 1 do
    if before(a[i + 1], a[i]) then
      fail(name, format("n=%d out of order at %d: %s", n, i, show(a, n)))
      return
    end
  end
  for i = 1, n do
    if before(a[i], b[i]) or before(b[i], a[i]) then
      fail(name, format("n=%d differs from stock at %d", n, i))
      return
    end
  end
end

-- For inconsistent comparators: ours must return or raise the order error (or the error the
-- comparator itself raises) and leave a permutation.
local function check_inconsistent(name, list, n, comp, allowed)
  checked = checked + 1
  local a = copy(list, n)
  local ok, err = pcall(call_sort, ours, a, comp)
  if not ok and errmsg(err) ~= "invalid order function for sorting" and errmsg(err) ~= allowed then
    fail(name, format("n=%d unexpected error: %s", n, errmsg(err)))
  elseif not is_permutation(list, a, n) then
    fail(name, format("n=%d not a permutation after %s", n, ok and "returning" or "the error"))
  end
  local b = copy(list, n)
  pcall(call_sort, stock, b, comp) -- stock must not matter here, but runs for comparison
end

-- ---- generators ----

local function ints(n, range)
  local t = {}
  for i = 1, n do t[i] = rnd(range) - (range // 2) end
  return t
end

local function floats(n)
  local t = {}
  for i = 1, n do t[i] = (rnd(2000001) - 1000001) / (rnd(997) + 0.5) end
  return t
end

local letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 _-\0\xff"
local function strings(n, maxlen, alphabet)
  alphabet = alphabet or #letters
  local t = {}
  for i = 1, n do
    local cs = {}
    for j = 1, rnd(maxlen + 1) - 1 do
      local c = rnd(alphabet)
      cs[j] = letters:sub(c, c)
    end
    t[i] = concat(cs)
  end
  return t
end

local function records(n, range)
  local t = {}
  for i = 1, n do t[i] = { k = rnd(range), id = i } end
  return t
end
local function by_key(a, b) return a.k < b.k end
local function by_key_desc(a, b) return a.k > b.k end

local function gt(a, b) return a > b end
local function length_then_value(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end

local function pattern(kind, n)
  local t = {}
  if kind == "sorted" then for i = 1, n do t[i] = i end
  elseif kind == "reversed" then for i = 1, n do t[i] = n - i end
  elseif kind == "equal" then for i = 1, n do t[i] = 7 end
  elseif kind == "organ" then for i = 1, n do t[i] = math.min(i, n - i + 1) end
  elseif kind == "inv_organ" then for i = 1, n do t[i] = math.max(i, n - i + 1) end
  elseif kind == "sawtooth" then for i = 1, n do t[i] = i % 17 end
  elseif kind == "saw_up" then for i = 1, n do t[i] = i % (n // 4 + 1) end
  elseif kind == "two_values" then for i = 1, n do t[i] = rnd(2) end
  elseif kind == "alternating" then for i = 1, n do t[i] = (i % 2 == 0) and i or -i end
  elseif kind == "sorted_noise" then
    for i = 1, n do t[i] = i end
    for _ = 1, n // 20 + 1 do
      local i, j = rnd(n), rnd(n)
      t[i], t[j] = t[j], t[i]
    end
  elseif kind == "sorted_tail" then
    for i = 1, n do t[i] = i end
    for i = n - 4, n do if i >= 1 then t[i] = rnd(n) end end
  elseif kind == "push_front" then
    for i = 1, n do t[i] = i + 1 end
    t[n] = 1
  end
  return t
end
local patterns = { "sorted", "reversed", "equal", "organ", "inv_organ", "sawtooth", "saw_up",
                   "two_values", "alternating", "sorted_noise", "sorted_tail", "push_front" }

-- ---- random lists ----

local sizes = {}
for n = 0, 40 do sizes[#sizes + 1] = n end
for _, n in ipairs { 63, 64, 65, 99, 100, 101, 102, 127, 128, 129, 200, 255, 256, 257, 500, 999,
                     1000, 1023, 1024, 1025, 1500, 1999, 2000 } do sizes[#sizes + 1] = n end
for _ = 1, 10 do sizes[#sizes + 1] = rnd(2001) - 1 end

for _, n in ipairs(sizes) do
  check("ints", ints(n, 1000000), n)
  check("ints dup", ints(n, 10), n)
  check("ints >", ints(n, 1000), n, gt)
  check("floats", floats(n), n)
  check("floats >", floats(n), n, gt)
  check("strings", strings(n, 6), n)
  check("strings dup >", strings(n, 2, 3), n, gt)
  check("strings len", strings(n, 8, 5), n, length_then_value)
  check("records", records(n, 20), n, by_key)
  check("records >", records(n, n + 1), n, by_key_desc)
end

-- ---- patterned lists ----

for _, n in ipairs { 2, 3, 4, 5, 7, 8, 100, 101, 128, 500, 1000, 2000 } do
  for _, kind in ipairs(patterns) do
    check(kind, pattern(kind, n), n)
    check(kind .. " >", pattern(kind, n), n, gt)
  end
end

-- ---- special values ----

check("infinities", { 3, huge, -huge, 0.5, -0.0, 0, 0.0, -1, huge, 2 }, 10)
check("integer extremes", { maxinteger, 0, mininteger, -1, 1, maxinteger - 1, mininteger + 1 }, 7)
check("mixed int float", { 1, 1.0, 2, 1.5, 2.0, 0.5, 3, -1.0, -1 }, 9)
check("big int vs float", { 2^53, 2^53 + 1, (2^53 | 0) + 1, 2^63, maxinteger, -2^63, mininteger }, 7)
check("strings embedded 0", { "a\0b", "a", "a\0", "\0", "", "b", "a\0a" }, 7)
check("one element", { "x" }, 1)
check("with comparator of another signature", { 3, 1, 2 }, 3, function(a, b, c) return c == nil and a < b end)
check("comparator returning non-booleans", { 5, 3, 9, 1 }, 4, function(a, b) return a < b and 0 or nil end)

-- ---- proxies and metamethods ----

local function proxy(list, n, log)
  return setmetatable({}, {
    __index = function(_, i) if log then log.r = log.r + 1 end return list[i] end,
    __newindex = function(_, i, v) if log then log.w = log.w + 1 end list[i] = v end,
    __len = function() return n end,
  })
end

for _, n in ipairs { 0, 1, 2, 3, 10, 150, 1000 } do
  checked = checked + 1
  local base = ints(n, 100)
  local a, b = copy(base, n), copy(base, n)
  local ok1, e1 = pcall(ours, proxy(a, n))
  local ok2, e2 = pcall(stock, proxy(b, n))
  if not (ok1 and ok2) then
    fail("proxy", format("n=%d errors %s / %s", n, tostring(e1), tostring(e2)))
  else
    for i = 1, n do
      if a[i] ~= b[i] then fail("proxy", format("n=%d differs at %d", n, i)) break end
    end
  end
end

-- __lt on tables
local Cell = {}
Cell.__lt = function(x, y) return x.v < y.v end
local function cells(n, range)
  local t = {}
  for i = 1, n do t[i] = setmetatable({ k = rnd(range) }, Cell); t[i].v = t[i].k end
  return t
end
for _, n in ipairs { 2, 3, 10, 101, 500 } do check("__lt", cells(n, 50), n) end

-- __len that lies: the list is shorter than #, holes read as nil
do
  checked = checked + 1
  local function mk() return setmetatable({ 3, 1, 2 }, { __len = function() return 5 end }) end
  local ok1, e1 = pcall(call_sort, ours, mk())
  local ok2, e2 = pcall(call_sort, stock, mk())
  if ok1 ~= ok2 or errmsg(e1) ~= errmsg(e2) then
    fail("__len 5 with 3 elements", format("stock %s, ours %s", tostring(e2), tostring(e1)))
  end
end

-- ---- argument errors ----

local function same_outcome(name, ...)
  checked = checked + 1
  local ok1, e1 = pcall(call_sort, ours, ...)
  local ok2, e2 = pcall(call_sort, stock, ...)
  if ok1 ~= ok2 or (not ok1 and errmsg(e1) ~= errmsg(e2)) then
    fail(name, format("stock %s, ours %s", ok2 and "ok" or errmsg(e2), ok1 and "ok" or errmsg(e1)))
  end
end

same_outcome("no argument")
same_outcome("nil list", nil)
same_outcome("number list", 5)
same_outcome("string list", "abc")
same_outcome("boolean list", true)
same_outcome("function list", print)
same_outcome("comparator number", { 3, 1, 2 }, 5)
same_outcome("comparator string", { 3, 1, 2 }, "x")
same_outcome("comparator table", { 3, 1, 2 }, {})
same_outcome("comparator true", { 3, 1, 2 }, true)
same_outcome("comparator false", { 3, 1, 2 }, false)
same_outcome("comparator string, one element", { 1 }, "x")
same_outcome("comparator string, empty", {}, "x")
same_outcome("comparator callable table", { 3, 1, 2 }, setmetatable({}, { __call = function(_, a, b) return a < b end }))
same_outcome("extra arguments", { 3, 1, 2 }, nil, 7)
same_outcome("array too big", setmetatable({}, { __len = function() return 2147483647 end }))
same_outcome("array too big (huge)", setmetatable({}, { __len = function() return maxinteger end }))
same_outcome("just under the limit with a bad comparator",
  setmetatable({}, { __len = function() return 2147483646 end }), 1)
same_outcome("__len not an integer", setmetatable({}, { __len = function() return 2.5 end }))
same_outcome("__len a string", setmetatable({}, { __len = function() return "x" end }))
same_outcome("__len negative", setmetatable({ 2, 1 }, { __len = function() return -3 end }))

-- ---- comparison errors (the message names the types in the order compared) ----

local kinds_of_mix = {
  function() return rnd(100) end,
  function() return "s" .. rnd(100) end,
  function() return rnd(100) + 0.5 end,
  function() return {} end,
  function() return rnd(2) == 1 end,
}
for _, n in ipairs { 2, 3, 4, 5, 8, 20, 101, 300 } do
  for _ = 1, 6 do
    local a, b = rnd(#kinds_of_mix), rnd(#kinds_of_mix)
    local t = {}
    for i = 1, n do t[i] = (rnd(4) == 1 and kinds_of_mix[b] or kinds_of_mix[a])() end
    check("mixed types", t, n)
  end
end
check("number and string", { 1, "x" }, 2)
check("string and number", { "x", 1 }, 2)
do
  checked = checked + 1
  local ok1, e1 = pcall(call_sort, ours, { 3, nil, 1 })
  local ok2, e2 = pcall(call_sort, stock, { 3, nil, 1 })
  if ok1 ~= ok2 or errmsg(e1) ~= errmsg(e2) then
    fail("nil hole", format("stock %s, ours %s", tostring(e2), tostring(e1)))
  end
end
check("tables without __lt", { {}, {} }, 2)
check("number then string far away", (function() local t = ints(500, 100); t[250] = "x"; return t end)(), 500)
check("string at the end", (function() local t = ints(500, 100); t[500] = "x"; return t end)(), 500)

-- ---- comparators that raise ----

for _, n in ipairs { 2, 3, 10, 200, 1000 } do
  for _, after in ipairs { 1, 2, 5, 50, 500 } do
    check("comparator raising after " .. after, ints(n, 100), n, lt, function()
      local calls = 0
      return function(x, y)
        calls = calls + 1
        if calls == after then error("comparator gave up", 0) end
        return x < y
      end
    end)
  end
end
do -- a comparator raising a table value
  checked = checked + 1
  local token = {}
  local ok1, e1 = pcall(ours, { 2, 1 }, function() error(token) end)
  if ok1 or e1 ~= token then fail("comparator raising a table", "error value not passed through") end
end

-- ---- inconsistent comparators ----

local always = function() return true end
local never = function() return false end
local coin = function() return rnd(2) == 1 end
local le = function(a, b) return a <= b end
for _, n in ipairs { 2, 3, 4, 5, 10, 50, 99, 100, 101, 150, 500, 1000, 2000 } do
  check_inconsistent("always true", ints(n, 1000), n, always)
  check_inconsistent("always true, equal", pattern("equal", n), n, always)
  check("never", ints(n, 1000), n, never)
  check_inconsistent("coin", ints(n, 1000), n, coin)
  check_inconsistent("<=", ints(n, 5), n, le)
  check_inconsistent("<=, equal", pattern("equal", n), n, le)
  check_inconsistent("nan", (function() local t = floats(n); for i = 1, n, 7 do t[i] = 0/0 end return t end)(), n)
  local base = ints(n, 100)
  -- a comparator that changes the list under the sort: only must not crash or loop
  local list = copy(base, n)
  local calls = 0
  checked = checked + 1
  local ok, err = pcall(ours, list, function(x, y)
    calls = calls + 1
    if calls % 7 == 0 then list[rnd(n)] = rnd(100) end
    if calls % 11 == 0 then list[n + rnd(3)] = "junk" end
    return (tonumber(x) or 0) < (tonumber(y) or 0)
  end)
  if not ok and errmsg(err) ~= "invalid order function for sorting" then
    fail("mutating comparator", format("n=%d error %s", n, errmsg(err)))
  end
end

-- ---- an adversary (McIlroy's "killer adversary for quicksort") ----
-- The comparator decides the items' values as the sort goes, freezing items so that every
-- pivot comes out bad; against a plain quicksort it forces about n^2/4 comparisons. Ours must
-- stay O(n log n) (its lopsided-partition budget runs out and the range is heapsorted), and the
-- values it decided, sorted again without a comparator, make the same comparisons.

local function adversary(n)
  local val, gas, solid, candidate, comparisons = {}, n + 1, 0, nil, 0
  for i = 1, n do val[i] = gas end
  local function comp(x, y)
    comparisons = comparisons + 1
    if val[x] == gas and val[y] == gas then
      if x == candidate then solid = solid + 1; val[x] = solid
      else solid = solid + 1; val[y] = solid end
    end
    if val[x] == gas then candidate = x elseif val[y] == gas then candidate = y end
    return val[x] < val[y]
  end
  return comp, val, function() return comparisons end
end

for _, n in ipairs { 50, 101, 300, 1000, 2000 } do
  checked = checked + 1
  local comp, val, count = adversary(n)
  local items, orig = {}, {}
  for i = 1, n do items[i] = i; orig[i] = i end
  local ok, err = pcall(ours, items, comp)
  local log2n = 0
  while (1 << (log2n + 1)) <= n do log2n = log2n + 1 end
  if not ok then
    fail("adversary", format("n=%d error %s", n, errmsg(err)))
  elseif not is_permutation(orig, items, n) then
    fail("adversary", format("n=%d not a permutation", n))
  elseif count() > 8 * n * (log2n + 1) then
    fail("adversary", format("n=%d took %d comparisons", n, count()))
  else
    for i = 1, n - 1 do
      if not (val[items[i]] < val[items[i + 1]]) then
        fail("adversary", format("n=%d out of order at %d", n, i))
        break
      end
    end
  end
  -- the values it decided (the items still gas take the greatest ones)
  local frozen = {}
  for i = 1, n do frozen[i] = val[i] end
  check("adversary's input", frozen, n)
  check("adversary's input >", frozen, n, gt)
end

-- ---- report ----

if #failures > 0 then
  local shown = {}
  for i = 1, math.min(#failures, 40) do shown[i] = failures[i] end
  error(format("%d of %d sort cases failed:\n%s", #failures, checked, concat(shown, "\n")), 0)
end
return checked
