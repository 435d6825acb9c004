local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local retry = require "lunas.retry"

-- A fake clock: sleep records its waits and moves the clock, so nothing waits in real time.
local clock
local function fake(deadline)
  clock = { now = 0, waits = {} }
  return {
    sleep = function(s) clock.waits[#clock.waits + 1] = s clock.now = clock.now + s end,
    deadline_remaining = function() return deadline and deadline - clock.now end,
    random = function() return 0.5 end,
  }
end

local function with(opts, extra)
  for k, v in pairs(extra or {}) do opts[k] = v end
  return opts
end

-- A function that fails with each error of the list in turn, then returns "done".
local function failing(...)
  local errors, calls = { ... }, 0
  return function()
    calls = calls + 1
    if errors[calls] then error(errors[calls], 0) end
    return "done", calls
  end
end

local unavailable = { status = 503, code = "service_unavailable", message = "GET /v3/orders -> 503", retryable = true }
local invalid = { status = 422, code = "validation_failed", message = "POST /v3/orders -> 422", retryable = false }
local lost = { code = "ambiguous_write", message = "POST /v3/orders: the answer was lost", retryable = true, ambiguous = true }

describe("lunas.retry", function()
  it("returns every result of a function that succeeds, calling it once", function()
    local f = failing()
    local a, b = retry(f, fake())
    expect(a).to_equal("done")
    expect(b).to_equal(1)
    expect(#clock.waits).to_equal(0)
  end)

  it("retries a retryable error and returns the later success", function()
    local a, calls = retry(failing(unavailable, unavailable), fake())
    expect(a).to_equal("done")
    expect(calls).to_equal(3)
    expect(#clock.waits).to_equal(2)
  end)

  it("waits exponentially: between half and all of base * 2^(n-1), capped by max", function()
    local waits = {}
    for _, r in ipairs({ 0, 1 }) do
      local opts = with(fake(), { attempts = 8, base = 0.5, max = 10, random = function() return r end })
      retry(failing(unavailable, unavailable, unavailable, unavailable, unavailable, unavailable, unavailable), opts)
      waits[r] = clock.waits
    end
    expect(waits[0]).to_equal({ 0.25, 0.5, 1, 2, 4, 5, 5 })
    expect(waits[1]).to_equal({ 0.5, 1, 2, 4, 8, 10, 10 })
  end)

  it("spreads waits with math.random by default", function()
    local opts = fake()
    opts.random = nil
    math.randomseed(7)
    retry(failing(unavailable, unavailable), with(opts, { attempts = 3, base = 1 }))
    expect(clock.waits[1] >= 0.5 and clock.waits[1] <= 1).to_be_truthy()
    expect(clock.waits[2] >= 1 and clock.waits[2] <= 2).to_be_truthy()
  end)

  it("re-raises the last error, unchanged, when the attempts are used", function()
    local ok, err = pcall(retry, failing(unavailable, unavailable, unavailable), with(fake(), { attempts = 3 }))
    expect(ok).to_equal(false)
    expect(rawequal(err, unavailable)).to_be_truthy()
    expect(#clock.waits).to_equal(2)
  end)

  it("re-raises a non-retryable error at once, unchanged", function()
    local ok, err = pcall(retry, failing(invalid), fake())
    expect(rawequal(err, invalid)).to_be_truthy()
    expect(#clock.waits).to_equal(0)
  end)

  it("never retries an ambiguous error, even one marked retryable", function()
    local ok, err = pcall(retry, failing(lost), fake())
    expect(rawequal(err, lost)).to_be_truthy()
    expect(#clock.waits).to_equal(0)
    local coded = { code = "ambiguous_write", retryable = true }
    local _, again = pcall(retry, failing(coded), with(fake(), { retry_if = function() return true end }))
    expect(rawequal(again, coded)).to_be_truthy()
    expect(retry.retryable(lost)).to_be_falsy()
    expect(retry.retryable(unavailable)).to_be_truthy()
    expect(retry.retryable("boom")).to_be_falsy()
  end)

  it("re-raises a string error unchanged, its position included", function()
    local f = function() error("stock ran out") end
    local _, direct = pcall(f)
    local _, through = pcall(retry, f, fake())
    expect(through).to_equal(direct)
    expect(#clock.waits).to_equal(0)
  end)

  it("does not wait past the run's deadline: the last error is raised instead", function()
    local ok, err = pcall(retry, failing(unavailable, unavailable, unavailable),
      with(fake(1.2), { attempts = 5, base = 0.5, random = function() return 1 end }))
    expect(rawequal(err, unavailable)).to_be_truthy()
    expect(clock.waits).to_equal({ 0.5 })
  end)

  it("calls on_retry with the error, the failed attempt and the wait before each wait", function()
    local seen = {}
    retry(failing(unavailable, unavailable), with(fake(), { on_retry = function(err, attempt, wait)
      seen[#seen + 1] = { err.code, attempt, wait }
    end }))
    expect(seen).to_equal({ { "service_unavailable", 1, 0.375 }, { "service_unavailable", 2, 0.75 } })
  end)

  it("retry_if decides for errors the default would not retry", function()
    local result = retry(failing("flaky", "flaky"), with(fake(), { retry_if = function(e) return tostring(e):find("flaky") end }))
    expect(result).to_equal("done")
    local ok, err = pcall(retry, failing(unavailable), with(fake(), { retry_if = function() return false end }))
    expect(rawequal(err, unavailable)).to_be_truthy()
  end)

  it("wrap checks the options at once and passes the arguments", function()
    local opts = fake()
    local calls = 0
    local get = retry.wrap(function(a, b)
      calls = calls + 1
      if calls < 2 then error(unavailable) end
      return a + b
    end, opts)
    expect(get(2, 3)).to_equal(5)
    expect(function() retry.wrap(function() end, { attempts = 0 }) end).to_error("retry: attempts must be an integer of 1 or more")
  end)

  it("uses the host's sleep and deadline_remaining globals", function()
    local saved_sleep, saved_remaining = rawget(_G, "sleep"), rawget(_G, "deadline_remaining")
    local waits = {}
    rawset(_G, "sleep", function(s) waits[#waits + 1] = s end)
    rawset(_G, "deadline_remaining", function() return nil end)
    local ok, result = pcall(retry, failing(unavailable), { random = function() return 0 end })
    rawset(_G, "sleep", saved_sleep)
    rawset(_G, "deadline_remaining", saved_remaining)
    expect(result).to_equal("done")
    expect(waits).to_equal({ 0.25 })
  end)

  it("fails clearly on a host without sleep", function()
    local saved = rawget(_G, "sleep")
    rawset(_G, "sleep", nil)
    local ok, err = pcall(retry, failing(), {})
    local one = pcall(retry, function() return 1 end, { attempts = 1 })
    rawset(_G, "sleep", saved)
    expect(ok).to_equal(false)
    expect(err).to_contain("retry: this Lunas has no sleep(seconds)")
    expect(one).to_equal(true)
  end)

  it("names the bad option", function()
    local f = function() end
    expect(function() retry(f, { attempts = 1.5 }) end).to_error("retry: attempts must be an integer of 1 or more (all tries, the first included), got 1.5")
    expect(function() retry(f, { base = -1 }) end).to_error("retry: base must be a number of seconds of 0 or more, got -1")
    expect(function() retry(f, { max = "30s" }) end).to_error('retry: max must be a number of seconds of 0 or more, got "30s"')
    expect(function() retry(f, { on_retry = true }) end).to_error("retry: on_retry must be a function, got a boolean")
    expect(function() retry(f, 3) end).to_error("retry: the options must be a table like { attempts = 3 }, got 3")
    expect(function() retry("scalev.orders.list") end).to_error('retry: expected a function to call, got "scalev.orders.list"')
    expect(function() retry(f, {}, 1) end).to_error("retry: call it as retry(fn, opts)")
  end)
end)
