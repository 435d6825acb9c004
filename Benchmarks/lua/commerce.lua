-- A CPU-bound commerce rule, the workload of benchmark (a) (Benchmarks/run.sh).
--
-- Builds 10,000 order tables (id, status among 5, gross_revenue as an integer, tags, a customer
-- and line items), then runs a rule over them 50 times: revenue and counts by status, discounts
-- by tag, grouping by status/channel/region, tagging big orders, a CSV report line per order. Prints
-- the last pass's totals and a checksum over all passes.
--
-- Deterministic (its own LCG, no math.random, no pairs() order in the output), integers only,
-- and nothing outside the sandbox profile: `lunas run` and the `lua5.4` interpreter must print
-- exactly the same lines.

local N_ORDERS = 10000
local PASSES = 50
local STATUSES = { "pending", "paid", "shipped", "delivered", "cancelled" }
local CHANNELS = { "web", "marketplace", "whatsapp", "reseller" }
local REGIONS = { "jakarta", "bandung", "surabaya", "medan", "makassar", "bali" }
local SKUS = {}
for i = 1, 200 do SKUS[i] = string.format("SKU-%04d", i) end

local seed = 20240601
local function rand(n) -- 0 .. n-1
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed // 65536 % n
end

-- Build phase ---------------------------------------------------------------------------------
local orders = {}
for i = 1, N_ORDERS do
  local region = REGIONS[rand(#REGIONS) + 1]
  local tags = { CHANNELS[rand(#CHANNELS) + 1], region }
  if rand(10) == 0 then tags[#tags + 1] = "repeat" end
  local items, gross = {}, 0
  for j = 1, rand(5) + 1 do
    local qty, price = rand(3) + 1, (rand(400) + 1) * 500
    items[j] = { sku = SKUS[rand(#SKUS) + 1], qty = qty, price = price }
    gross = gross + qty * price
  end
  orders[i] = {
    id = 100000 + i,
    status = STATUSES[rand(#STATUSES) + 1],
    gross_revenue = gross, -- integer, in rupiah
    shipping_cost = (rand(40) + 5) * 1000,
    customer = { id = rand(3000) + 1, city = region },
    items = items,
    tags = tags,
  }
end

-- The rule ------------------------------------------------------------------------------------
local BIG = 1500000 -- an order at or above this gross revenue is "big"
local DISCOUNT_BP = { web = 0, marketplace = 150, whatsapp = 50, reseller = 800, ["repeat"] = 200, big = 100 }

local function has_tag(tags, tag)
  for j = 1, #tags do
    if tags[j] == tag then return true end
  end
  return false
end

local function rule(pass)
  local revenue, count = {}, {}
  for s = 1, #STATUSES do
    revenue[STATUSES[s]] = 0
    count[STATUSES[s]] = 0
  end
  local big, repeat_big, net_total, units = 0, 0, 0, 0
  local flagged, by_key, lines = {}, {}, {}
  local threshold = BIG + (pass % 5) * 100000
  for i = 1, N_ORDERS do
    local o = orders[i]
    local status = o.status
    local items = o.items
    local gross = 0
    for j = 1, #items do
      local it = items[j]
      gross = gross + it.qty * it.price
      units = units + it.qty
    end
    assert(gross == o.gross_revenue)
    revenue[status] = revenue[status] + gross
    count[status] = count[status] + 1
    local tags = o.tags
    local bp = 0
    for j = 1, #tags do bp = bp + (DISCOUNT_BP[tags[j]] or 0) end
    local net = gross - gross * bp // 10000 - o.shipping_cost
    if status ~= "cancelled" then
      net_total = net_total + net
      local key = status .. "/" .. tags[1] .. "/" .. tags[2]
      local k = by_key[key]
      if k == nil then
        k = { orders = 0, net = 0 }
        by_key[key] = k
      end
      k.orders = k.orders + 1
      k.net = k.net + net
      lines[#lines + 1] = {
        id = o.id, key = key, net = net, items = #items, customer = o.customer.id,
        csv = string.format("%d;%s;%d;%d;%s", o.id, key, gross, net, o.customer.city),
      }
    end
    if gross >= threshold then
      big = big + 1
      if not has_tag(tags, "big") then tags[#tags + 1] = "big" end
      if has_tag(tags, "repeat") then repeat_big = repeat_big + 1 end
      flagged[#flagged + 1] = o.id
    end
  end
  return { revenue = revenue, count = count, big = big, repeat_big = repeat_big, net_total = net_total,
           units = units, flagged = flagged, by_key = by_key, lines = lines }
end

-- Passes --------------------------------------------------------------------------------------
local M = 1000000007
local checksum, last = 0, nil
for pass = 1, PASSES do
  local r = rule(pass)
  local h = pass
  for s = 1, #STATUSES do
    local st = STATUSES[s]
    h = (h * 1000003 + r.revenue[st] + r.count[st]) % M
  end
  for j = 1, #r.flagged, 97 do h = (h * 31 + r.flagged[j]) % M end
  for j = 1, #r.lines, 101 do
    local l = r.lines[j]
    h = (h * 17 + l.id + l.net % 65521 + l.items + #l.key + l.customer + #l.csv) % M
  end
  local keys = 0
  for key, k in pairs(r.by_key) do -- order-independent: a sum
    keys = keys + 1
    h = (h + #key * k.orders + k.net % 8191) % M
  end
  h = (h * 7 + keys) % M
  checksum = (checksum * 131 + h + r.big * 7 + r.repeat_big + r.units + r.net_total % 1000003) % M
  last = r
end

local tagged = 0
for i = 1, N_ORDERS do
  if has_tag(orders[i].tags, "big") then tagged = tagged + 1 end
end

for s = 1, #STATUSES do
  local st = STATUSES[s]
  print(string.format("%-10s orders=%d revenue=%d", st, last.count[st], last.revenue[st]))
end
print(string.format("big=%d tagged=%d units=%d net=%d", last.big, tagged, last.units, last.net_total))
print("checksum=" .. checksum)
