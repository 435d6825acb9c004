-- Tag VIP orders: every paid order at or over a threshold gets the `vip` tag (its other tags are
-- kept), then a summary. Safe to run again: orders already tagged are left alone, and a kv
-- counter remembers how many runs have tagged what.
--   lunas run --sandbox scripts/tag_vip_orders.lua [-- THRESHOLD_RUPIAH]
--   lunas run --dry-run scripts/tag_vip_orders.lua          (shows the writes, sends none)

local money = require "lunas.money"

local threshold = math.tointeger(tonumber(arg[1] or "1000000"))
  or error("the threshold must be a whole number of rupiah, e.g. 1000000")
local minimum = money(threshold)

local function has_tag(order, tag)
  for _, t in ipairs(order.tags or {}) do
    if t == tag then return true end
  end
  return false
end

local scanned, tagged, already, vip_revenue = 0, 0, 0, money(0)
local biggest
for order in scalev.orders.each { payment_status = "paid" } do
  scanned = scanned + 1
  local amount = money(order.gross_revenue)
  if amount >= minimum then
    vip_revenue = vip_revenue + amount
    if has_tag(order, "vip") then
      already = already + 1
    else
      scalev.orders.add_tags(order.id, { "vip" })
      tagged = tagged + 1
    end
    if not biggest or amount > money(biggest.gross_revenue) then biggest = order end
  end
end

local runs = kv.incr("runs")
kv.set("last", { tagged = tagged, threshold = threshold, at = os.time() })

print(("Paid orders scanned:   %d"):format(scanned))
print(("VIP (>= %s):  %d  (%d newly tagged, %d already vip)"):format(minimum:format(), tagged + already, tagged, already))
print(("VIP revenue:           %s"):format(vip_revenue:format()))
if biggest then
  print(("Largest VIP order:     %s  %s  %s"):format(biggest.order_id, money(biggest.gross_revenue):format(),
    biggest.customer and biggest.customer.name or "?"))
end
print(("Runs of this script:   %d"):format(runs))
