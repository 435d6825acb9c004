-- lunas.batch: a list of ids in chunks (100 by default) for bulk calls, each chunk's failure kept
-- in a report instead of ending the run. See docs/stdlib.md.

local type, error, pcall, select, tostring, math_type, format =
  type, error, pcall, select, tostring, math.type, string.format

local batch = {}

local function show(x)
  if type(x) == "string" then return format("%q", x) end
  return type(x) == "number" and tostring(x) or "a " .. type(x)
end

local function check_list(list, fname, level)
  if type(list) ~= "table" then
    error(("%s: expected a list of ids, got %s"):format(fname, show(list)), level + 1)
  end
end

local function check_size(size, fname, level)
  if size == nil then return 100 end
  if math_type(size) ~= "integer" or size < 1 then
    error(("%s: the chunk size must be an integer of 1 or more, got %s"):format(fname, show(size)), level + 1)
  end
  return size
end

local function split(list, size)
  local chunks = {}
  for i = 1, #list, size do
    local chunk = {}
    for j = i, i + size - 1 < #list and i + size - 1 or #list do chunk[#chunk + 1] = list[j] end
    chunks[#chunks + 1] = chunk
  end
  return chunks
end

-- batch.chunks(list [, size]): the list cut into lists of at most size items, in order.
function batch.chunks(list, size)
  check_list(list, "batch.chunks", 2)
  return split(list, check_size(size, "batch.chunks", 2))
end

-- batch(list, fn [, opts]): fn(chunk, index) for each chunk; a chunk that raises is recorded in
-- the report's failed list and the next chunk goes on.
local function run(list, fn, opts)
  check_list(list, "batch", 3)
  if type(fn) ~= "function" then
    error(("batch: expected a function to call with each chunk, got %s"):format(show(fn)), 3)
  end
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then
    error(("batch: the options must be a table like { size = 50 }, got %s"):format(show(opts)), 3)
  end
  local size = check_size(opts.size, "batch", 3)
  local call = fn
  if opts.retry ~= nil then
    if type(opts.retry) ~= "table" then
      error(("batch: retry must be a table of lunas.retry options like { attempts = 3 }, got %s"):format(show(opts.retry)), 3)
    end
    local ok, wrapped = pcall(require("lunas.retry").wrap, fn, opts.retry)
    if not ok then error("batch: " .. tostring(wrapped), 3) end
    call = wrapped
  end
  local report = { chunks = 0, ok = 0, failed = {}, failed_ids = {} }
  for index, chunk in ipairs(split(list, size)) do
    report.chunks = index
    local ok, err = pcall(call, chunk, index)
    if ok then
      report.ok = report.ok + 1
    else
      report.failed[#report.failed + 1] = { index = index, ids = chunk, error = err }
      table.move(chunk, 1, #chunk, #report.failed_ids + 1, report.failed_ids)
    end
  end
  return report
end

return setmetatable(batch, {
  __call = function(_, list, fn, opts, ...)
    if select("#", ...) > 0 then error("batch: call it as batch(list, fn, opts)", 2) end
    return run(list, fn, opts)
  end,
})
