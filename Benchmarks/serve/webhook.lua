-- wrk script of Benchmarks/serve/run.sh (2): POSTs unique signed webhook events. BENCH_BODIES is
-- a file of "SIGNATURE\tBODY" lines; thread k of n takes lines k, k+n, k+2n, ... (its own
-- events: unique_ids never collide across threads); a thread stops when its lines run out. Counts the answers
-- (200 and new, 200 duplicate, other) and writes a JSON summary to BENCH_SUMMARY.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  ok_new, duplicates, other = 0, 0, 0
  requests_list = {}
  local n = 0
  local line_no = 0
  local count = tonumber(os.getenv("BENCH_THREADS")) or 1
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if line_no % count == id then
      local tab = line:find("\t", 1, true)
      n = n + 1
      requests_list[n] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["X-Scalev-Hmac-Sha256"] = line:sub(1, tab - 1),
      }, line:sub(tab + 1))
    end
    line_no = line_no + 1
  end
  total, next_index = n, 1
end

function request()
  if next_index > total then
    -- out of unique events: this thread stops (a request or two may still go out, counted as duplicates)
    wrk.thread:stop()
    next_index = 1
  end
  local r = requests_list[next_index]
  next_index = next_index + 1
  return r
end

function response(status, headers, body)
  if status == 200 then
    if body:find('"duplicate":false', 1, true) then ok_new = ok_new + 1 else duplicates = duplicates + 1 end
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local n, d, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("ok_new")
    d = d + thread:get("duplicates")
    o = o + thread:get("other")
  end
  local e = summary.errors
  local f = assert(io.open(os.getenv("BENCH_SUMMARY"), "w"))
  f:write(string.format(
    '{"requests":%d,"duration_s":%.6f,"requests_per_s":%.2f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"ok_new":%d,"duplicates":%d,"other":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    n, d, o, e.connect + e.read + e.write + e.timeout))
  f:close()
end
