-- lunas.retry: call a function again when its error says trying again could succeed
-- (`retryable`), with exponential backoff and jitter, inside the run's deadline; never after an
-- ambiguous write. See docs/stdlib.md.

local type, error, pcall, rawget, select, tostring, math_type, random, min =
  type, error, pcall, rawget, select, tostring, math.type, math.random, math.min
local format, pack, unpack = string.format, table.pack, table.unpack

local retry = {}

-- An error after which the request may have been applied: sending it again could apply it twice.
local function ambiguous(err)
  return type(err) == "table" and (err.ambiguous == true or err.code == "ambiguous_write")
end

function retry.retryable(err)
  return type(err) == "table" and err.retryable == true and not ambiguous(err)
end

local function show(x)
  if type(x) == "string" then return format("%q", x) end
  return type(x) == "number" and tostring(x) or "a " .. type(x)
end

local function number(opts, key, default, least, level)
  local v = opts[key]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v < least or v == math.huge then
    error(("retry: %s must be a number of seconds of %s or more, got %s"):format(key, least, show(v)), level + 1)
  end
  return v
end

local function callable(opts, key, level)
  local v = opts[key]
  if v ~= nil and type(v) ~= "function" then
    error(("retry: %s must be a function, got %s"):format(key, show(v)), level + 1)
  end
  return v
end

-- The checked options, with the host's sleep and deadline_remaining unless the options replace them.
local function settings(opts, level)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    error(("retry: the options must be a table like { attempts = 3 }, got %s"):format(show(opts)), level + 1)
  end
  local s = {
    attempts = opts.attempts == nil and 3 or opts.attempts,
    base = number(opts, "base", 0.5, 0, level + 1),
    max = number(opts, "max", 30, 0, level + 1),
    on_retry = callable(opts, "on_retry", level + 1),
    retry_if = callable(opts, "retry_if", level + 1),
    sleep = callable(opts, "sleep", level + 1) or rawget(_G, "sleep"),
    remaining = callable(opts, "deadline_remaining", level + 1) or rawget(_G, "deadline_remaining"),
    random = callable(opts, "random", level + 1) or random,
  }
  if math_type(s.attempts) ~= "integer" or s.attempts < 1 then
    error(("retry: attempts must be an integer of 1 or more (all tries, the first included), got %s"):format(show(s.attempts)), level + 1)
  end
  if s.attempts > 1 and type(s.sleep) ~= "function" then
    error("retry: this Lunas has no sleep(seconds), which lunas.retry waits with; upgrade Lunas (or pass { sleep = f })", level + 1)
  end
  return s
end

local function should_retry(s, err)
  if ambiguous(err) then return false end
  if s.retry_if then return s.retry_if(err) and true or false end
  return retry.retryable(err)
end

local function run(s, fn, ...)
  for attempt = 1, s.attempts do
    local result = pack(pcall(fn, ...))
    if result[1] then return unpack(result, 2, result.n) end
    local err = result[2]
    if attempt == s.attempts or not should_retry(s, err) then error(err, 0) end
    -- Equal jitter: between half and all of the exponential step, so waits spread but still grow.
    local step = min(s.max, s.base * 2 ^ (attempt - 1))
    local wait = step / 2 + s.random() * step / 2
    local left = s.remaining and s.remaining()
    if left and wait >= left then error(err, 0) end
    if s.on_retry then s.on_retry(err, attempt, wait) end
    s.sleep(wait)
  end
end

local function check_function(fn, level)
  if type(fn) ~= "function" then
    error(("retry: expected a function to call, got %s; write retry(function() ... end, opts)"):format(show(fn)), level + 1)
  end
end

-- retry.wrap(fn, opts): a function that calls fn(...) under retry; the options are checked now.
function retry.wrap(fn, opts)
  check_function(fn, 2)
  local s = settings(opts, 2)
  return function(...) return run(s, fn, ...) end
end

return setmetatable(retry, {
  __call = function(_, fn, opts, ...)
    if select("#", ...) > 0 then
      error("retry: call it as retry(fn, opts); pass fn's arguments in a closure", 2)
    end
    check_function(fn, 2)
    return run(settings(opts, 2), fn)
  end,
})
