-- Compares LuaKit's table.insert, remove, move, concat, unpack and string.rep (tablelib.c,
-- stringrep.c) with Lua's own, the globals `stock_table` and `stock_string`, over ordinary
-- calls, edge positions, proxies and argument errors: the same results, the same changes to
-- the table, the same error messages. Returns the number of cases checked; raises an error
-- listing the failures otherwise.

local stock = { insert = stock_table.insert, remove = stock_table.remove, move = stock_table.move,
                concat = stock_table.concat, unpack = stock_table.unpack, rep = stock_string.rep }
local ours = { insert = table.insert, remove = table.remove, move = table.move,
               concat = table.concat, unpack = table.unpack, rep = string.rep }
for name, f in pairs(ours) do assert(f ~= stock[name], name .. " is the stock function") end

local maxi, mini = math.maxinteger, math.mininteger
local failures, checked = {}, 0

local function show_plain(v) return type(v) .. ":" .. tostring(v) end

-- A table by its contents at -1 .. 6 (the cases use no other keys; a proxy shows its store),
-- anything else by its text.
local function show(v)
  if type(v) ~= "table" then return show_plain(v) end
  local parts = {}
  for i = -1, 6 do parts[#parts + 1] = show_plain(v[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- A fresh copy of the arguments, so that each side mutates its own: plain tables are copied,
-- and a function argument builds the value (a proxy) anew.
local function fresh(args)
  local copy = { n = args.n }
  for i = 1, args.n do
    local a = args[i]
    if type(a) == "function" then
      a = a()
    elseif type(a) == "table" then
      local c = {}
      for k, v in pairs(a) do c[k] = v end
      a = c
    end
    copy[i] = a
  end
  return copy
end

local function outcome(f, args)
  local call = fresh(args)
  -- called through an upvalue, not as a tail call, so that argument errors name it alike
  local r = table.pack(pcall(function(...)
    local results = table.pack(f(...))
    return table.unpack(results, 1, results.n)
  end, table.unpack(call, 1, call.n)))
  local parts = {}
  for i = 1, r.n do parts[#parts + 1] = show(r[i]) end
  for i = 1, call.n do parts[#parts + 1] = "arg" .. i .. "=" .. show(call[i]) end
  return table.concat(parts, " ")
end

local function case(name, ...)
  local args = table.pack(...)
  local want, got = outcome(stock[name], args), outcome(ours[name], args)
  checked = checked + 1
  if want ~= got then failures[#failures + 1] = name .. " #" .. checked .. ": stock " .. want .. " | ours " .. got end
end

-- Builders of a proxy over n elements and of a table whose length is a lie.
local function proxy(n)
  return function()
    local store = {}
    for i = 1, n do store[i] = i * 10 end
    return setmetatable({}, { __index = store, __newindex = store, __len = function() return n end })
  end
end

local function claiming(length)
  return function() return setmetatable({}, { __len = function() return length end }) end
end

-- insert
case("insert", { 1, 2, 3 }, "x")
case("insert", { 1, 2, 3 }, 1, "x")
case("insert", { 1, 2, 3 }, 2, "x")
case("insert", { 1, 2, 3 }, 4, "x")
case("insert", { 1, 2, 3 }, 5, "x")
case("insert", { 1, 2, 3 }, 0, "x")
case("insert", { 1, 2, 3 }, -1, "x")
case("insert", { 1, 2, 3 }, "2", "x")
case("insert", { 1, 2, 3 }, 1.5, "x")
case("insert", { 1, 2, 3 }, 2.0, "x")
case("insert", {}, 1, "x")
case("insert", {}, "x")
case("insert", { 1 }, 1, 2, 3)
case("insert", { 1 })
case("insert", nil, 1)
case("insert", "s", 1)
case("insert", proxy(3), 1, "p")
case("insert", claiming("x"), 1)
case("insert", claiming(maxi), 1, "wrapped")
case("remove", claiming(2), 1)
-- remove
case("remove", { 1, 2, 3 })
case("remove", { 1, 2, 3 }, 1)
case("remove", { 1, 2, 3 }, 2)
case("remove", { 1, 2, 3 }, 3)
case("remove", { 1, 2, 3 }, 4)
case("remove", { 1, 2, 3 }, 5)
case("remove", { 1, 2, 3 }, 0)
case("remove", {}, 0)
case("remove", {})
case("remove", {}, 1)
case("remove", {}, -1)
case("remove", { [0] = "zero" }, 0)
case("remove", proxy(4), 2)
case("remove", 7)
-- move
case("move", { 1, 2, 3 }, 1, 3, 2)
case("move", { 1, 2, 3 }, 2, 3, 1)
case("move", { 1, 2, 3 }, 1, 3, 3)
case("move", { 1, 2, 3 }, 1, 3, 1, { "a" })
case("move", { 1, 2, 3 }, 1, 0, 1)
case("move", { 1, 2, 3 }, 1, 3, -1)
case("move", {}, mini, -1, 1)
case("move", { 1 }, 1, 1, maxi)
case("move", { 1, 2 }, 1, 2, maxi)
case("move", { 1, 2, 3 }, 1, 3, 2, nil)
case("move", { 1, 2, 3 }, "1", 3, 2)
case("move", { 1, 2, 3 }, 1, 3)
case("move", proxy(3), 1, 3, 2)
case("move", { 1, 2, 3 }, 1, 3, 1, 5)
-- concat
case("concat", { 1, 2, 3 })
case("concat", { 1, 2, 3 }, ", ")
case("concat", { 1, 2, 3 }, ", ", 2)
case("concat", { 1, 2, 3 }, ", ", 2, 3)
case("concat", { 1, 2, 3 }, ", ", 3, 2)
case("concat", { 1, 2.5, "x" }, "")
case("concat", { 1, {}, 3 })
case("concat", {}, "x", 1, 1)
case("concat", {})
case("concat", { "a" }, {})
case("concat", proxy(3), "-")
case("concat", "abc")
-- unpack
case("unpack", { 1, 2, 3 })
case("unpack", { 1, 2, 3 }, 2)
case("unpack", { 1, 2, 3 }, 2, 3)
case("unpack", { 1, 2, 3 }, -1, 1)
case("unpack", {}, 1, 0)
case("unpack", {}, 1, 1e7)
case("unpack", {}, mini, maxi)
case("unpack", {}, maxi - 1, maxi)
case("unpack", {}, mini, mini + 1)
case("unpack", proxy(2))
case("unpack", { 1, 2 }, "1", "2")
case("unpack", nil)
-- rep
case("rep", "ab", 3)
case("rep", "ab", 3, ",")
case("rep", "", 5)
case("rep", "", 5, ",")
case("rep", "x", -1)
case("rep", "x", 0, ",")
case("rep", "x", 1, ",")
case("rep", "abc", 1000, "--")
case("rep", "x", 1 << 40)
case("rep", "ab", 1 << 31)
case("rep", "", 1 << 40, "ab")
case("rep", "a", 10, "")
case("rep", 12, 2, 3)
case("rep", {}, 1)
case("rep", "x", 1.5)
case("rep", "x")

if #failures > 0 then error(#failures .. " of " .. checked .. " cases differ:\n" .. table.concat(failures, "\n")) end
return checked
