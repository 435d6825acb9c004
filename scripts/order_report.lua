-- Order report: revenue by status, the best customers, and the paid orders that qualify as VIP.
--   lunas run scripts/order_report.lua [-- THRESHOLD]
-- Reads the shipped sample of orders; amounts are exact with lunas.money, never floats.

local money = require "lunas.money"
local orders = require "sample.orders"
local threshold = money(math.tointeger(tonumber(arg[1] or "1000000"))
  or error("threshold must be a whole number of rupiah, e.g. 1000000"))

local by_status, by_customer, vip = {}, {}, {}
local paid_total = money(0)
for _, order in ipairs(orders) do
  local amount = money(order.gross_revenue)
  local s = by_status[order.status] or { count = 0, revenue = money(0) }
  s.count, s.revenue = s.count + 1, s.revenue + amount
  by_status[order.status] = s
  if order.payment_status == "paid" then
    paid_total = paid_total + amount
    local email = order.customer.email
    by_customer[email] = (by_customer[email] or money(0)) + amount
    if amount >= threshold then vip[#vip + 1] = order end
  end
end

print(("Orders: %d, paid revenue: %s"):format(#orders, paid_total:format()))
print()
print("By status:")
local statuses = {}
for status in pairs(by_status) do statuses[#statuses + 1] = status end
table.sort(statuses, function(a, b) return by_status[a].revenue > by_status[b].revenue end)
for _, status in ipairs(statuses) do
  local s = by_status[status]
  print(("  %-10s %3d orders  %18s"):format(status, s.count, s.revenue:format()))
end

print()
print("Top customers (paid):")
local customers = {}
for email, total in pairs(by_customer) do customers[#customers + 1] = { email = email, total = total } end
table.sort(customers, function(a, b) return a.total > b.total or (a.total == b.total and a.email < b.email) end)
for i = 1, math.min(3, #customers) do
  print(("  %d. %-28s %18s"):format(i, customers[i].email, customers[i].total:format()))
end

print()
print(("VIP candidates (paid, at least %s): %d"):format(threshold:format(), #vip))
for _, order in ipairs(vip) do
  log.info("would tag vip", { order = order.order_id, amount = order.gross_revenue })
end
print(json.encode({ vip_orders = #vip, paid_revenue = paid_total }))
