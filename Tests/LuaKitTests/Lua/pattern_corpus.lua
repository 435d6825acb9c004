-- Compares two implementations of string.find, string.match, string.gmatch and string.gsub
-- over a corpus of cases: the globals `stock` (Lua's own functions) and `ours` (the budgeted
-- ones from patterns.c), each a table with find, match, gmatch and gsub.
-- Every return value (count included) and every error message must agree.
-- Returns the number of cases checked; raises an error listing the mismatches otherwise.
-- Uses no io, os, debug or require, and only the stock functions for its own string work.

local stock, ours = stock, ours
assert(type(stock) == "table" and type(ours) == "table", "globals 'stock' and 'ours' are needed")

local sfind, sgsub, format = stock.find, stock.gsub, string.format
local pack, unpack, concat = table.pack, table.unpack, table.concat

-- ---- describing outcomes ----

local function ser(v)
  local t = type(v)
  if t == "string" then return format("%q", v)
  elseif t == "number" then return math.type(v) .. ":" .. tostring(v)
  else return tostring(v) end
end

local function errmsg(e)
  if type(e) ~= "string" then return "<" .. type(e) .. " error>" end
  return (sgsub(e, "^[^\n]-:%d+: ", ""))
end

-- "ok: v1, v2" or "error: msg" for a table.pack(pcall(...))
local function outcome(r)
  if not r[1] then return "error: " .. errmsg(r[2]) end
  local parts = {}
  for i = 2, r.n do parts[#parts + 1] = ser(r[i]) end
  return "ok(" .. (r.n - 1) .. "): " .. concat(parts, ", ")
end

local function argstr(args)
  local parts = {}
  for i = 1, args.n do
    local v = args[i]
    parts[i] = type(v) == "function" and "<function>" or type(v) == "table" and "<table>" or ser(v)
  end
  return concat(parts, ", ")
end

-- Calls through a Lua function so that argument errors name the function the same way.
local function callers(impl)
  return {
    find = function(...) return impl.find(...) end,
    match = function(...) return impl.match(...) end,
    gmatch = function(...) return impl.gmatch(...) end,
    gsub = function(...) return impl.gsub(...) end,
  }
end
local impls = { stock = callers(stock), ours = callers(ours) }

-- gmatch: every value of the iteration, then one more call after it ended
local function run_gmatch(c, args)
  local r = pack(pcall(c.gmatch, unpack(args, 1, args.n)))
  if not r[1] then return outcome(r) end
  local it, out = r[2], {}
  for _ = 1, 500 do
    local step = pack(pcall(it))
    out[#out + 1] = outcome(step)
    if not step[1] or step[2] == nil then break end
  end
  out[#out + 1] = outcome(pack(pcall(it)))
  return concat(out, " | ")
end

local checked, mismatches = 0, {}

local function compare(label, a, b)
  checked = checked + 1
  if a ~= b then
    mismatches[#mismatches + 1] = format("%s\n    stock: %s\n    ours:  %s", label, a, b)
  end
end

-- A case: a function name and its arguments. A replacement given as a function factory
-- (a table {factory = f}) is built anew for each implementation, with a log of its calls
-- that is compared too.
local function case(fname, ...)
  local args = pack(...)
  local results = {}
  for _, name in ipairs({ "stock", "ours" }) do
    local c = impls[name]
    local a, log = args, nil
    if fname == "gsub" and type(args[3]) == "table" and rawget(args[3], "factory") then
      a = pack(unpack(args, 1, args.n))
      log = {}
      a[3] = args[3].factory(log)
    end
    local res
    if fname == "gmatch" then res = run_gmatch(c, a)
    else res = outcome(pack(pcall(c[fname], unpack(a, 1, a.n)))) end
    if log then res = res .. " log: " .. concat(log, "; ") end
    results[name] = res
  end
  compare(fname .. "(" .. argstr(args) .. ")", results.stock, results.ours)
end

-- replacement function factories
local function logging(ret)
  return { factory = function(log)
    return function(...)
      local r = pack(...)
      local parts = {}
      for i = 1, r.n do parts[i] = ser(r[i]) end
      log[#log + 1] = "(" .. concat(parts, ",") .. ")"
      return ret(...)
    end
  end }
end

-- ---- 1. a cross product of subjects and patterns over all four functions ----

local subjects = {
  "", "a", "abc", "aaa", "abcabc", "hello world", "  leading and trailing  ",
  "x=1, y=22, z=333", "THE (quick) [brown] {fox}", "f(a(b)c)d", "a.b.c", "a\0b\0c", "\0",
  "line1\nline2\r\n", "\t\v\f ", "123abc456", "caf\195\169 \226\130\172", "\255\128\1",
  "%%", "^$", "[]", "--", "a+b-c*d?e", "0x1F 0XaB", "mixedCASE123_under", ("ab"):rep(10),
  "((a)(b))", "aXbXc", "'quoted' \"double\"", "key = value -- comment",
}

local patterns = {
  "", "a", "b", "abc", "x", ".", "..", "a*", "a+", "a-", "a?", ".*", ".-", ".+", ".-b",
  "a.-c", "^a", "^", "$", "^$", "a$", "c$", "$a", "^^", "a^", "^.", ".$",
  "%a", "%a+", "%A+", "%c", "%c+", "%d+", "%D", "%g+", "%G", "%l+", "%L+", "%p", "%P+",
  "%s+", "%S+", "%u+", "%U", "%w+", "%W", "%x+", "%X+", "%z", "%.", "%%", "%[", "%]",
  "%-", "%+", "%^", "%$", "%(", "%)", "[abc]", "[^abc]", "[a-c]+", "[^%s]+", "[%a_][%w_]*",
  "[]]", "[^]]", "[a-]", "[-a]", "[%-]", "[%]]", "[]-a]+", "[a-c-e]+", "[%w.]+", "[\0]",
  "[%z\0]", "[%d%s]+", "[^%d%s]+", "[%A]", "[%%]", "[.]", "[%.]", "[+-]", "[\128-\255]+",
  "()", "(a)", "(a)(b)", "((a)(b))", "(a*(.)%w(%s*))", "()a()", "(.)%1", "(%a+) %1",
  "(a)%2", "%1", "%0", "(a)%0", "%b()", "%b[]", "%b{}", "%bab", "%b''", "%b", "%bx",
  "%f[%w]%w+", "%f[%W]", "%f[%a]", "%f[^%a]", "%f[\0]", "%f[%c]", "%f", "%fx", "%f[a",
  "[a", "[", "[^", "[%", "%", "a%", "(", "(a", ")", "a)", "((a)", "a)b", "(()", "(()a",
  "\0", "a\0", "%\0", "x*$", "a-$", "()$", "^()", ".-$", "(.-)%s*$", "^%s*(.-)%s*$",
  "(%w+)=(%w+)", "(%w+)%s*=%s*(%w+)", "%d+%.?%d*", "0[xX]%x+", "[+-]?%d+", "%-%-", "+",
  "*", "?", "-", "a**", "a+?", "a-?", ".?.?", "(.)(.)(.)", "(.-)X", "(.*)X", "b*",
  "%s*", "%w*", "[^,]*", "(%S+)%s*", "%f[%w](%w+)", "(%d)(%d)(%d)", "()(%a)()", "([%u%d]+)",
  "%b\"\"", "%b()%b()", "(%b())", "a%f[b]", "%f[%s]", "%f[%S]", "^(%w+)", "(h)(e)(l)(l)(o)",
}

for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    case("find", s, p)
    case("match", s, p)
    case("gmatch", s, p)
    case("gsub", s, p, "<%0>")
  end
end

-- ---- 2. start positions ----

local inits = { -100, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 100,
                math.maxinteger, math.mininteger, 2.0, -1.0 }
for _, s in ipairs({ "", "abc", "hello" }) do
  for _, p in ipairs({ "", "l", "l+", "^h", "^", "$", "o$", ".-", "()", "%f[%a]", "(l*)", ".", "x" }) do
    for _, init in ipairs(inits) do
      case("find", s, p, init)
      case("match", s, p, init)
      case("gmatch", s, p, init)
    end
  end
end
case("find", "abc", "b", nil)
case("find", "abc", "b", "2")
case("find", "abc", "b", "x")
case("find", "abc", "b", 1.5)
case("match", "abc", "b", {})
case("gmatch", "abc", "b", "x")
case("gmatch", "abc", ".", 2.5)

-- ---- 3. plain find ----

for _, p in ipairs({ ".", "+", "(", ")", "%", "[", "]", "a.b", "^a", "b$", "", "%a", "a\0b", "\0",
                     "abc", "c", "x", "bca", "abcd" }) do
  for _, plain in ipairs({ true, false, 1, "yes", 0 }) do
    case("find", "a.b+c(d)e%f[g]h^a b$ a\0b abc", p, 1, plain)
    case("find", "a.b+c(d)e%f[g]h^a b$ a\0b abc", p, 5, plain)
    case("find", "a.b+c(d)e%f[g]h^a b$ a\0b abc", p, -4, plain)
  end
end
case("find", "abc", "", 10, true)
case("find", "abc", "", 4, true)
case("find", "abc", "", -1, true)
case("find", "", "", 1, true)
case("find", "", "a", 1, true)
case("find", "aaab", "aab", 1, true)
case("find", "aaab", "aab", 3, true)
case("find", ("ab"):rep(50) .. "abc", ("ab"):rep(10) .. "c", 1, true)
case("find", "a)b", ")")      -- no special character: a plain search
case("match", "a)b", ")")     -- but a pattern for match
case("find", "a]b", "]")
case("find", "a]b", "]", 1, nil)
case("find", "x", ")", 1, false)

-- ---- 4. captures ----

case("find", "hello", "(l)(l)")
case("find", "hello", "()ll()")
case("match", "hello", "()ll()")
case("find", "abc", "()")
case("find", "abc", "()", 4)
case("match", "abc", "()", 4)
case("match", "hello world", "(%w+) (%w+)")
case("match", "hello world", "((%w+) (%w+))")
case("match", "key = value", "^(%w+)%s*=%s*(%w+)$")
case("match", "  trim me  ", "^%s*(.-)%s*$")
case("match", "abcabc", "(abc)%1")
case("match", "abcabd", "(abc)%1")
case("match", "xyzxyz", "(()x(y)z)%1")
case("match", "aa", "()%1")               -- a back-reference to a position capture fails
case("match", "aa", "(a)%1%1")
case("match", "aaa", "(a)%1%1")
case("match", "abba", "(a)(b)%2%1")
case("match", "abba", "(a)(b)%3")
case("match", "abc", "(a%1)")            -- refers to an unfinished capture
case("match", "abc", "(a")
case("find", "abc", "(a")
case("match", "abc", "a)")
case("match", "abc", "(a))")
case("match", "abc", "((a)")
case("match", "abc", ("()"):rep(32))
case("match", "abc", ("()"):rep(33))
case("match", ("a"):rep(40), ("(a)"):rep(32))
case("match", ("a"):rep(40), ("(a)"):rep(33))
case("find", ("a"):rep(40), ("(a)"):rep(32))
case("match", "f(a(b)c)d", "%b()")
case("match", "f(a(b)c)d", "(%b())")
case("match", "f(a(b)c", "%b()")
case("match", "f)a(", "%b()")
case("match", "[[x]] [y]", "%b[]")
case("match", "if x then y end end", "%bie")
case("match", "'a' 'b'", "%b''")
case("match", "a\0b\0c", "%b\0\0")
case("match", "THE (quick) fox", "%f[%a]%a+")
case("match", "THE (quick) fox", "%f[%l]%a+")
case("match", "hello", "%f[\0]")
case("find", "hello", "%f[\0]")
case("find", "hello", "%f[%z]")
case("find", "hello", "%f[%c]")
case("find", "", "%f[%c]")
case("find", "hello", "%f[^\0]")
case("find", "a\0b", "%f[%z]")
case("find", "a\0b", "%f[\0]")
case("find", "a\0b", "%f[^\0]", 2)
case("find", "a b", "%f[%w]", 2)
case("find", "ab", "%f[%w]", 2)
case("match", "x", "%f[x")
case("match", "x", "%f")
case("match", "x", "%f(")
case("match", "x", "%bx")
case("match", "x", "%b")
case("match", "x", "x%")
case("match", "x", "[x")
case("match", "x", "[^")
case("match", "x", "[%")
case("match", "x", "[%]")
case("match", "x", "[x%]")
case("match", "", "%")
case("match", "", "[")
case("match", "", "(")
case("match", "", ")")
case("match", "", "%1")
case("match", "", "%b")
case("match", "", "%f[")
case("match", "z", "%z")
case("match", "Z", "%Z")
case("match", "q", "%q")

-- ---- 5. depth limit ----

local many_a = ("a"):rep(300)
for _, n in ipairs({ 10, 150, 197, 198, 199, 200, 201, 250 }) do
  case("find", many_a, ("a?"):rep(n))
  case("match", many_a, ("(a?)"):rep(math.min(n, 32)))
  case("gsub", many_a, ("a?"):rep(n), "x")
end
case("match", many_a, ("a*"):rep(150))
case("find", ("a"):rep(199), ("a?"):rep(199) .. "$")
case("find", ("a"):rep(150), ("a?"):rep(199) .. "$")

-- ---- 6. gmatch ----

for _, sp in ipairs({
  { "hello world from Lua", "%a+" }, { "one two  three", "(%a+)" }, { "k1=v1, k2=v2", "(%w+)=(%w+)" },
  { "abc", "" }, { "abc", "x*" }, { "abc", "()" }, { "abc", ".-" }, { "a,b,,c", "([^,]*)" },
  { "a,b,,c,", "([^,]*)" }, { ",", "([^,]*)" }, { "abc", "^a" }, { "^a^b", "^." }, { "abc", "$" },
  { "abc", "c$" }, { "abc$", "c$" }, { "aaa", "a*" }, { "aaa", "a-" }, { "aaa", "a?" },
  { "abcab", "()ab()" }, { "a b c", "%f[%w]" }, { "THE (quick) fox", "%f[%a]%a+" },
  { "(a)(b(c))", "%b()" }, { "a\0b\0c", "[^\0]+" }, { "a\0b\0c", "%z" }, { "", "" }, { "", "x" },
  { "xyz", "(" }, { "xyz", "%" }, { "xyz", "(.)%2" }, { "xyz", "q%" }, { "", "%" },
}) do
  case("gmatch", sp[1], sp[2])
  case("gmatch", sp[1], sp[2], 2)
  case("gmatch", sp[1], sp[2], -2)
end

-- ---- 7. gsub replacements ----

local repls = {
  "", "x", "%0", "%1", "%2", "%%", "%", "x%", "%a", "<%0|%1>", "%%%1", "%1%1", "%9", "%%0",
  123, 1.5, -0.0, 2^63, math.mininteger,
}
for _, sp in ipairs({
  { "hello world", "o" }, { "hello world", "(o)" }, { "hello world", "(o)(r)" }, { "hello world", "()o" },
  { "hello world", "" }, { "hello world", "x" }, { "abc", "(a" }, { "abc", "%w" }, { "abc", "^a" },
  { "abc", "^" }, { "abc", "$" }, { "abc", ".-" }, { "", "" },
}) do
  for _, r in ipairs(repls) do
    case("gsub", sp[1], sp[2], r)
  end
end

-- tables
local tbl = { hello = "HI", world = false, lua = 5.4, [1] = "one", [3] = "three", x = {} }
for _, sp in ipairs({
  { "hello world lua", "%w+" }, { "hello world lua", "(%w+)" }, { "hello world lua", "()%w+" },
  { "hello x", "%w+" }, { "abc", "" }, { "abc", "()" }, { "abc", "(a" }, { "1 2 3", "%d" },
}) do
  case("gsub", sp[1], sp[2], tbl)
  case("gsub", sp[1], sp[2], tbl, 1)
  case("gsub", sp[1], sp[2], setmetatable({}, { __index = function(_, k) return "<" .. tostring(k) .. ">" end }))
end

-- functions: the log of calls is compared too
local fns = {
  logging(function(...) return nil end),
  logging(function(...) return false end),
  logging(function(a) return a .. a end),
  logging(function(...) return select("#", ...) end),
  logging(function(...) return 2.5 end),
  logging(function(...) return {} end),
  logging(function(...) return true end),
  logging(function(...) error("boom") end),
  logging(function(...) error({}) end),
  logging(function(a, b) return b end),
}
for _, sp in ipairs({
  { "hello world", "%w+" }, { "hello world", "(%w+)" }, { "hello world", "(h)(e)" },
  { "hello world", "()(l+)()" }, { "abc", "" }, { "abc", "x*" }, { "abc", "(a" }, { "abc", "^." },
  { "abc", "$" }, { "a\0b", "%z?" },
}) do
  for _, f in ipairs(fns) do
    case("gsub", sp[1], sp[2], f)
  end
end

-- the maximum number of replacements
for _, n in ipairs({ 0, 1, 2, 3, 100, -1, math.mininteger, math.maxinteger, 1.0, 2.5, "2", "x", "0x2" }) do
  case("gsub", "a a a", "a", "b", n)
  case("gsub", "abc", "", "-", n)
  case("gsub", "abc", "^", "-", n)
  case("gsub", "abc", "x*", "-", n)
  case("gsub", "abc", "%w", tbl, n)
end
case("gsub", "abc", "b", "x", nil)

-- bad arguments
case("gsub", "abc", "b")
case("gsub", "abc", "b", nil)
case("gsub", "abc", "b", true)
case("gsub", "abc", "x", true)
case("gsub", nil, "b", "x")
case("gsub", "abc", nil, "x")
case("gsub", "abc", "b", {}, "x")
case("find")
case("find", "abc")
case("find", {}, "a")
case("match", "abc", {})
case("gmatch", nil, "a")
case("gmatch", "a")

-- numbers stand for strings
case("find", 12345, 34)
case("find", 12345, 3.0)
case("match", 123, "%d")
case("match", 1.5, "%d")
case("gmatch", 1234, "%d")
case("gsub", 1234, "%d", "x")
case("gsub", 1234, "x", "y")
case("gsub", 1234, 2, 9)

-- anchors in gsub
case("gsub", "hello hello", "^hello", "x")
case("gsub", "hello hello", "hello$", "x")
case("gsub", "hello hello", "^hello$", "x")
case("gsub", "hello", "^hello$", "x")
case("gsub", "  x  ", "^%s*", "")
case("gsub", "  x  ", "%s*$", "")
case("gsub", "abc", "^x*", "-")
case("gsub", "abc", "^(.)", "%1%1")
case("gsub", "^^", "^^", "x")
case("gsub", "a^b", "%^", "x")

-- empty matches next to other matches
case("gsub", "abc", "%w*", "-")
case("gsub", "a b c", "%w*", "-")
case("gsub", "a,,b", "[^,]*", "x")
case("gsub", "hello world", "o*", "0")
case("gsub", "abc", "b*", "X")
case("gsub", "THE (quick) fox", "%f[%a]", "|")
case("gsub", "THE (quick) fox", "%f[%A]", "|")

-- ---- 8. embedded zeros ----

local z = "a\0b\0\0c\0"
for _, p in ipairs({ "\0", "\0+", "%z", "[\0]", "[^\0]+", "(.-)\0", "[\0-\31]+", "[%c]+", "%c", "\0$",
                     "^a\0", "a\0b", "%\0", "[%\0]" }) do
  case("find", z, p)
  case("find", z, p, 1, true)
  case("match", z, p)
  case("gmatch", z, p)
  case("gsub", z, p, "<%0>")
end
case("gsub", "abc", "b", "x\0y")
case("gsub", "abc", "b", "%\0")
case("gsub", "abc", "(b)", "\0%1\0")

-- ---- 9. longer subjects ----

local text = ("The quick brown fox jumps over the lazy dog. 0123456789 (nested (parens)) "):rep(40)
for _, p in ipairs({ "%a+", "(%a+)%s+(%a+)", "%d+", "%b()", "%f[%w]%w+", "[aeiou]", "o%a*", "%s+$",
                     ".-dog", "(.)%1", "fox.-lazy", "^The", "%.%s", "x" }) do
  case("find", text, p)
  case("find", text, p, 1000)
  case("match", text, p, -200)
  case("gmatch", text, p)
  case("gsub", text, p, "[%0]")
  case("gsub", text, p, "", 7)
end

-- ---- 10. small random patterns over small random subjects ----

local seed = 12345
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end
local atoms = { "a", "b", ".", "%a", "%d", "%s", "[ab]", "[^a]", "[a-c]", "%w", "(a)", "()", "(.)",
                "%1", "%b()", "%f[a]", "%f[%s]", "^", "$", "(", ")", "%", "[", "x", "0", " ", "%%" }
local quants = { "", "", "", "*", "+", "-", "?" }
local chars = { "a", "b", "c", " ", "(", ")", "0", "1", "\0" }
for _ = 1, 3000 do
  local pt = {}
  for j = 1, rnd(4) do
    pt[j] = atoms[rnd(#atoms)] .. quants[rnd(#quants)]
  end
  local st = {}
  for j = 1, rnd(10) - 1 do st[j] = chars[rnd(#chars)] end
  local p, s = concat(pt), concat(st)
  local which = rnd(4)
  if which == 1 then case("find", s, p, rnd(6) - 3)
  elseif which == 2 then case("match", s, p)
  elseif which == 3 then case("gmatch", s, p)
  else case("gsub", s, p, "<%0>", rnd(4) - 1) end
end

-- ---- report ----

if #mismatches > 0 then
  local shown = {}
  for i = 1, math.min(#mismatches, 40) do shown[i] = mismatches[i] end
  error(format("%d of %d pattern cases differ:\n%s", #mismatches, checked, concat(shown, "\n")), 0)
end
return checked
