-- lunas.test: busted-style specs, run by `lunas test` (each *_spec.lua file against a fresh
-- in-process Scalev sandbox and a fresh store).
--
--   local t = require "lunas.test"
--   local describe, it, expect = t.describe, t.it, t.expect
--   describe("money", function()
--     t.before_each(function() t.sandbox.reset() end)
--     it("adds", function()
--       expect(money(1) + money(2)).to_equal(money(3))
--     end)
--   end)
--
-- A top-level describe collects its tests (nested describes, it, before_each, after_each in
-- any order), then runs them; an error outside an `it` fails the spec file at its line.
-- Fixtures: t.sandbox.reset(), t.sandbox.order(fields), t.rules.load(path), t.rules.emit(event,
-- data), t.rules.fire(name), t.rules.advance(duration), t.rules.timers(), t.rules.clear(),
-- t.run(path, args). See docs/testing.md.

local host = __spec
local SEP = " \u{203A} "
local MAX_DEPTH, MAX_ITEMS = 4, 25

local t = {}

-- Rendering -----------------------------------------------------------------------------------

local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r", ['"'] = '\\"', ["\\"] = "\\\\" }
    return named[c] or ("\\%03d"):format(c:byte())
  end) .. '"'
end

local function metafield(v, name)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, name) or nil
end

local key_order = { number = 1, string = 2, boolean = 3 }

local function render(v, depth, seen)
  depth, seen = depth or 0, seen or {}
  local kind = type(v)
  if kind == "string" then return quote(v) end
  if v == json.null then return "json.null" end
  if kind ~= "table" then return tostring(v) end
  if getmetatable(v) ~= nil then
    local text = tostring(v) -- __tostring (money values), also behind a protected metatable
    if not text:find("^[%w_.]+: 0x%x+$") and not text:find("^table: ") then return text end
  end
  if seen[v] then return "<cycle>" end
  if depth >= MAX_DEPTH then return "{...}" end
  seen[v] = true
  local parts, n = {}, 0
  local count = #v
  for i = 1, count do
    n = n + 1
    if n > MAX_ITEMS then break end
    parts[n] = render(rawget(v, i), depth + 1, seen)
  end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= count) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = key_order[type(a)] or 4, key_order[type(b)] or 4
    if ta ~= tb then return ta < tb end
    if type(a) == "number" and type(b) == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  for _, k in ipairs(keys) do
    n = n + 1
    if n > MAX_ITEMS then break end
    local name = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k or ("[" .. render(k, MAX_DEPTH, seen) .. "]")
    parts[n] = name .. " = " .. render(rawget(v, k), depth + 1, seen)
  end
  seen[v] = nil
  local total = count + #keys
  if total > MAX_ITEMS then parts[#parts + 1] = ("... (%d more)"):format(total - MAX_ITEMS) end
  if #parts == 0 then return "{}" end
  return "{ " .. table.concat(parts, ", ") .. " }"
end
t.render = render

-- Equality ------------------------------------------------------------------------------------

-- Whether a table is a value whose __eq has the last word (money), not data compared by its
-- contents: a readable metatable with __eq, or a protected one with its own __tostring (a
-- protected metatable without one, like json.array's mark, is data).
local function is_value(v)
  local mt = getmetatable(v)
  if mt == nil then return false end
  if type(mt) == "table" then return rawget(mt, "__eq") ~= nil end
  local text = tostring(v)
  return not text:find("^[%w_.]+: 0x%x+$") and not text:find("^table: ")
end

local function deep_equal(a, b, seen)
  if rawequal(a, b) then return true end
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  if a == b then return true end -- __eq (money values)
  if is_value(a) or is_value(b) then return false end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, v in pairs(a) do
    if not deep_equal(v, rawget(b, k), seen) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end
t.equal = deep_equal

-- Failures ------------------------------------------------------------------------------------

local failure_mt = {
  __tostring = function(f) return (f.location and (f.location .. ": ") or "") .. f.message end,
}

local function is_failure(e) return type(e) == "table" and rawget(e, "lunas_test_failure") == true end

-- The `file:line` of the nearest caller outside this module: the spec's line.
local function where()
  for level = 3, 40 do
    local _, text = pcall(error, "", level)
    if type(text) ~= "string" then return nil end
    local position = text:match("^(.-):%s*$")
    if position and position ~= "" and not position:find("lunas/test%.lua:%d+$") then return position end
  end
  return nil
end

-- Raises a failure at the spec's line: fail <- matcher <- the spec's expect line.
local function fail(message, expected, actual)
  error(setmetatable({
    lunas_test_failure = true, message = message, location = where(), expected = expected, actual = actual,
  }, failure_mt), 0)
end

local function error_text(e)
  if type(e) == "string" then return e end
  if is_failure(e) then return tostring(e) end
  if type(e) == "table" and type(rawget(e, "message")) == "string" and not metafield(e, "__tostring") then return e.message end
  return tostring(e)
end

local function matches(text, pattern)
  if text:find(pattern, 1, true) then return true end
  local ok, found = pcall(string.find, text, pattern)
  return ok and found ~= nil
end

-- Expectations --------------------------------------------------------------------------------

local function matchers(actual, negated)
  local m = {}
  local function check(pass, message, expected, shown)
    if pass == negated then
      fail((negated and "expected not: " or "expected ") .. message, expected, shown or render(actual))
    end
  end
  m.to_equal = function(expected)
    check(deep_equal(actual, expected), ("%s to equal %s"):format(render(actual), render(expected)), render(expected))
  end
  m.to_be = function(expected)
    check(rawequal(actual, expected) or actual == expected, ("%s to be %s"):format(render(actual), render(expected)), render(expected))
  end
  m.to_be_truthy = function()
    check(actual ~= nil and actual ~= false, ("%s to be truthy"):format(render(actual)), "truthy")
  end
  m.to_be_falsy = function()
    check(actual == nil or actual == false, ("%s to be falsy"):format(render(actual)), "falsy")
  end
  m.to_be_nil = function()
    check(actual == nil, ("%s to be nil"):format(render(actual)), "nil")
  end
  m.to_contain = function(item)
    local found = false
    if type(actual) == "string" then
      found = actual:find(tostring(item), 1, true) ~= nil
    elseif type(actual) == "table" then
      for _, v in pairs(actual) do
        if deep_equal(v, item) then found = true break end
      end
    else
      fail(("to_contain needs a table or a string, got %s"):format(render(actual)), render(item), render(actual))
    end
    check(found, ("%s to contain %s"):format(render(actual), render(item)), render(item))
  end
  m.to_error = function(pattern)
    if type(actual) ~= "function" then
      fail(("to_error needs a function to call, got %s"):format(render(actual)), "a function", render(actual))
    end
    local ok, e = pcall(actual)
    if negated then
      if not ok then fail("expected no error, got " .. quote(error_text(e)), "no error", quote(error_text(e))) end
      return nil
    end
    if ok then
      fail("expected an error" .. (pattern and (" matching " .. quote(pattern)) or "") .. ", but the function returned",
        pattern and quote(pattern) or "an error", "no error")
    end
    if pattern ~= nil and not matches(error_text(e), tostring(pattern)) then
      fail(("expected an error matching %s, got %s"):format(quote(pattern), quote(error_text(e))), quote(pattern), quote(error_text(e)))
    end
    return e
  end
  return m
end

--- expect(value).to_equal(v) / .to_be(v) / .to_be_truthy() / .to_be_falsy() / .to_be_nil() /
--- .to_contain(v) / .to_error([pattern]); expect(value).never.<matcher> negates.
function t.expect(actual)
  local m = matchers(actual, false)
  m.never = matchers(actual, true)
  return m
end

-- Tests ---------------------------------------------------------------------------------------

local current -- the describe block being collected

local function block(name, parent)
  return { name = name, parent = parent, before = {}, after = {}, items = {} }
end

local function selected(name)
  local filter = host and host.filter
  if filter == nil then return true end
  return matches(name, filter)
end

local function as_failure(e)
  if is_failure(e) then return e end
  local message = error_text(e)
  return { message = message, location = type(message) == "string" and message:match("^([^:%s]+:%d+):") or nil }
end

local function report(name, failure)
  if host then
    host.report({
      name = name, ok = failure == nil,
      message = failure and failure.message, location = failure and failure.location,
      expected = failure and failure.expected, actual = failure and failure.actual,
    })
  elseif failure then
    print("\u{2717} " .. name .. "\n    " .. (failure.location and (failure.location .. ": ") or "") .. failure.message)
  else
    print("\u{2713} " .. name)
  end
end

local function run_test(names, befores, afters, body)
  local name = table.concat(names, SEP)
  if not selected(name) then return end
  if host then host.began() end
  local failure
  for _, hook in ipairs(befores) do
    local ok, e = pcall(hook)
    if not ok then failure = as_failure(e) break end
  end
  if not failure then
    local ok, e = pcall(body)
    if not ok then failure = as_failure(e) end
  end
  for _, hook in ipairs(afters) do
    local ok, e = pcall(hook)
    if not ok and not failure then failure = as_failure(e) end
  end
  report(name, failure)
end

local function with(list, more)
  local c = {}
  for _, v in ipairs(list) do c[#c + 1] = v end
  for _, v in ipairs(more) do c[#c + 1] = v end
  return c
end

local function run_block(b, names, befores, afters)
  names = with(names, { b.name })
  befores = with(befores, b.before)
  afters = with(b.after, afters)
  for _, item in ipairs(b.items) do
    if item.body then
      run_test(with(names, { item.name }), befores, afters, item.body)
    else
      run_block(item, names, befores, afters)
    end
  end
end

local function check_args(fname, name, body)
  if type(name) ~= "string" then error(("%s: the name (argument 1) must be a string, got %s"):format(fname, type(name)), 3) end
  if type(body) ~= "function" then error(("%s: the body (argument 2) must be a function, got %s"):format(fname, type(body)), 3) end
end

--- describe(name, body): a group of tests; nested describes extend the name (`outer › inner`).
function t.describe(name, body)
  check_args("describe", name, body)
  local b = block(name, current)
  if current then
    current.items[#current.items + 1] = b
    current = b
    body()
    current = b.parent
    return
  end
  current = b
  local ok, e = pcall(body)
  current = nil
  if not ok then error(e, 0) end
  run_block(b, {}, {}, {})
end

--- it(name, body): one test. Inside a describe it runs once the top-level describe is collected;
--- at the top level, at once.
function t.it(name, body)
  check_args("it", name, body)
  if current then
    current.items[#current.items + 1] = { name = name, body = body }
  else
    run_test({ name }, {}, {}, body)
  end
end

local function hook(fname, list)
  return function(fn)
    if not current then error(fname .. " belongs inside a describe block", 2) end
    if type(fn) ~= "function" then error(fname .. ": give a function", 2) end
    local l = current[list]
    l[#l + 1] = fn
  end
end

--- before_each(fn) / after_each(fn): run around every test of the describe (outer ones first
--- before, last after); a failing before_each fails the test and skips its body.
t.before_each = hook("before_each", "before")
t.after_each = hook("after_each", "after")

-- Fixtures ------------------------------------------------------------------------------------

-- Raises `message` at the spec's line (the nearest caller outside this module).
local function raise(message)
  local position = where()
  error(position and (position .. ": " .. message) or message, 0)
end

local function need_host(fname)
  if not host then raise(fname .. " needs the spec runner: run the spec with `lunas test FILE`") end
end

-- A host call; its error raised at the spec's line.
local function host_call(fname, f, ...)
  need_host(fname)
  local r = table.pack(pcall(f, ...))
  if not r[1] then
    raise((error_text(r[2]):gsub("^[^%s:]*test%.lua:%d+: ", "")))
  end
  return table.unpack(r, 2, r.n)
end

local function failed_runs(fname, runs)
  for _, run in ipairs(runs) do
    if not run.ok then
      return ("%s: %s failed: %s"):format(fname, run.rule, run.error or "?")
    end
  end
end

t.sandbox = {}
local order_defaults

--- t.sandbox.reset(): the sandbox's data seeded afresh (its keys stay).
function t.sandbox.reset()
  host_call("t.sandbox.reset", host and host.reset)
  order_defaults = nil
end

local function defaults()
  if order_defaults then return order_defaults end
  for product in scalev.products.each(nil, { progress = false }) do
    local variant = type(product.variants) == "table" and product.variants[1]
    if product.item_type == "digital" and variant and type(product.store_unique_ids) == "table" then
      order_defaults = { store = product.store_unique_ids[1], variant = variant.unique_id }
      return order_defaults
    end
  end
  raise("t.sandbox.order: the sandbox sells no digital product to order")
end

--- t.sandbox.order(fields): creates an order (one digital e-book in the sandbox's store, paid
--- by bank transfer, by "Spec Customer", unless `fields` say otherwise: any createOrder field)
--- and returns it; `status` and `payment_status` in `fields` are set after it is created.
function t.sandbox.order(fields)
  if fields ~= nil and type(fields) ~= "table" then raise("t.sandbox.order: fields must be a table") end
  local d = defaults()
  local body = {
    store_unique_id = d.store, customer_name = "Spec Customer", customer_email = "spec.customer@example.com",
    payment_method = "bank_transfer", ordervariants = { { variant_unique_id = d.variant, quantity = 1 } },
  }
  local status, payment_status
  for k, v in pairs(fields or {}) do
    if k == "status" then status = v elseif k == "payment_status" then payment_status = v else body[k] = v end
  end
  local order = scalev.orders.create(body)
  if status ~= nil or payment_status ~= nil then
    scalev.orders.change_status({ order.id }, { status = status, payment_status = payment_status })
    order = scalev.orders.get(order.id)
  end
  return order
end

t.rules = {}

--- t.rules.load(path): loads a rules file (beside the spec, else from the working directory);
--- the names of its rules. Loading a file again replaces it.
function t.rules.load(path)
  return host_call("t.rules.load", host and host.load, path)
end

--- t.rules.emit(event, data): runs every loaded `on` rule matching `event` with the event
--- `{ event, unique_id, timestamp, data }` (or `data` itself when it is a whole webhook body);
--- the runs `{ rule, ok, error, timers }`. A run that fails raises, naming the rule.
function t.rules.emit(event, data)
  local runs = host_call("t.rules.emit", host and host.emit, event, data ~= nil and json.encode(data) or nil)
  local failed = failed_runs("t.rules.emit", runs)
  if failed then raise(failed) end
  return runs
end

--- t.rules.fire(name): runs the schedule (`cron`/`every`) of that name, or of that spec, now.
function t.rules.fire(name)
  local runs = host_call("t.rules.fire", host and host.fire, name)
  local failed = failed_runs("t.rules.fire", runs)
  if failed then raise(failed) end
  return runs[1]
end

--- t.rules.advance(duration): moves the one clock ("2h", "15m", or seconds) — the sandbox's,
--- os.time's and the timers' — running each timer set with `after`/`at` when it falls due; the
--- runs `{ rule, ok, at, key, timers }` in order. A run that fails raises, naming its job.
function t.rules.advance(duration)
  local runs = host_call("t.rules.advance", host and host.advance, duration)
  local failed = failed_runs("t.rules.advance", runs)
  if failed then raise(failed) end
  return runs
end

--- t.rules.timers(): the timers not yet run, by due time: `{ job, at, epoch, args, key, script }`.
function t.rules.timers()
  return host_call("t.rules.timers", host and host.timers)
end

--- t.rules.clear(): unloads every rules file and drops their timers.
function t.rules.clear()
  host_call("t.rules.clear", host and host.clear)
end

--- t.run(path, args): runs a script once as `lunas run --sandbox` would (fresh state, the
--- sandbox's credentials, the script's kv namespace), `args` its arg[1...]; returns
--- `{ ok, error, output (what it printed), values }` — it does not raise when the script fails.
function t.run(path, args)
  return host_call("t.run", host and host.run, path, args)
end

return t
