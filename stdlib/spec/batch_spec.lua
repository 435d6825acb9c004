local t = require "lunas.test"
local describe, it, expect = t.describe, t.it, t.expect
local batch = require "lunas.batch"

local function ids(n)
  local list = {}
  for i = 1, n do list[i] = 1000 + i end
  return list
end

describe("lunas.batch", function()
  describe("chunks", function()
    it("cuts a list into chunks of 100 by default, in order", function()
      local chunks = batch.chunks(ids(250))
      expect(#chunks).to_equal(3)
      expect(#chunks[1]).to_equal(100)
      expect(#chunks[3]).to_equal(50)
      expect(chunks[1][1]).to_equal(1001)
      expect(chunks[3][50]).to_equal(1250)
    end)

    it("takes a size; an exact multiple leaves no empty chunk; an empty list has none", function()
      expect(batch.chunks({ "a", "b", "c", "d" }, 2)).to_equal({ { "a", "b" }, { "c", "d" } })
      expect(batch.chunks({ "a" }, 5)).to_equal({ { "a" } })
      expect(batch.chunks({}, 5)).to_equal({})
    end)

    it("refuses a bad size or list", function()
      expect(function() batch.chunks(ids(3), 0) end).to_error("batch.chunks: the chunk size must be an integer of 1 or more, got 0")
      expect(function() batch.chunks(ids(3), 2.5) end).to_error("batch.chunks: the chunk size must be an integer of 1 or more, got 2.5")
      expect(function() batch.chunks("1,2,3") end).to_error('batch.chunks: expected a list of ids, got "1,2,3"')
    end)
  end)

  describe("batch(list, fn, opts)", function()
    it("calls fn with each chunk and its index and counts the chunks that succeed", function()
      local seen = {}
      local report = batch(ids(5), function(chunk, index) seen[#seen + 1] = { index, #chunk } end, { size = 2 })
      expect(seen).to_equal({ { 1, 2 }, { 2, 2 }, { 3, 1 } })
      expect(report.chunks).to_equal(3)
      expect(report.ok).to_equal(3)
      expect(report.failed).to_equal({})
      expect(report.failed_ids).to_equal({})
    end)

    it("records a failing chunk with its ids and error and goes on with the next", function()
      local refused = { status = 422, code = "validation_failed", message = "refused", retryable = false }
      local calls = 0
      local report = batch(ids(7), function(chunk, index)
        calls = calls + 1
        if index == 2 then error(refused) end
        if index == 3 then error("chunk three broke") end
      end, { size = 3 })
      expect(calls).to_equal(3)
      expect(report.ok).to_equal(1)
      expect(#report.failed).to_equal(2)
      expect(report.failed[1].index).to_equal(2)
      expect(report.failed[1].ids).to_equal({ 1004, 1005, 1006 })
      expect(rawequal(report.failed[1].error, refused)).to_be_truthy()
      expect(report.failed[2].ids).to_equal({ 1007 })
      expect(report.failed[2].error).to_contain("chunk three broke")
      expect(report.failed_ids).to_equal({ 1004, 1005, 1006, 1007 })
    end)

    it("does nothing with an empty list", function()
      local report = batch({}, function() error("never called") end)
      expect(report).to_equal({ chunks = 0, ok = 0, failed = {}, failed_ids = {} })
    end)

    it("retries each chunk with lunas.retry options", function()
      local waits, calls = {}, {}
      local report = batch(ids(4), function(chunk, index)
        calls[index] = (calls[index] or 0) + 1
        if index == 1 and calls[index] < 3 then error({ retryable = true, message = "503" }) end
        if index == 2 then error({ retryable = true, message = "still down" }) end
      end, { size = 2, retry = { attempts = 3, sleep = function(s) waits[#waits + 1] = s end, random = function() return 0 end } })
      expect(calls).to_equal({ 3, 3 })
      expect(report.ok).to_equal(1)
      expect(report.failed[1].error.message).to_equal("still down")
      expect(#waits).to_equal(4)
    end)

    it("names what is wrong with its arguments", function()
      expect(function() batch(ids(3)) end).to_error("batch: expected a function to call with each chunk, got a nil")
      expect(function() batch(nil, print) end).to_error("batch: expected a list of ids, got a nil")
      expect(function() batch(ids(3), print, 10) end).to_error("batch: the options must be a table like { size = 50 }, got 10")
      expect(function() batch(ids(3), print, { size = -1 }) end).to_error("batch: the chunk size must be an integer of 1 or more, got -1")
      expect(function() batch(ids(3), print, { retry = 3 }) end).to_error("batch: retry must be a table of lunas.retry options")
      expect(function() batch(ids(3), print, { retry = { attempts = 0 } }) end).to_error("batch: retry: attempts must be an integer of 1 or more")
      expect(function() batch(ids(3), print, {}, "extra") end).to_error("batch: call it as batch(list, fn, opts)")
    end)
  end)
end)
