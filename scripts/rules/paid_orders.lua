-- Paid orders, as rules: when an order's payment status turns paid, tag it `paid-rule` (its
-- other tags are kept), count it, and look at it again a day later; every morning at 9, log the
-- count. Safe to run twice: tagging an order that has the tag changes nothing.
--   lunas run scripts/rules/paid_orders.lua                                  (lists the rules)
--   lunas run --sandbox scripts/rules/paid_orders.lua --event order.payment_status_changed --payload event.json
--   lunas run --sandbox scripts/rules/paid_orders.lua --schedule morning_count
-- The top level only registers: scalev and kv are called inside the handlers.

local TAG = "paid-rule"

on("order.payment_status_changed", function(event)
  local order = event.data
  if order.payment_status ~= "paid" then
    log.info("not paid yet", { order = order.id, payment_status = order.payment_status })
    return "skipped"
  end
  scalev.orders.add_tags(order.id, { TAG })
  local count = kv.incr("tagged")
  log.info("tagged a paid order", { order = order.id, count = count })
  after("1d", "follow_up", { order_id = order.id })
  return "tagged"
end, { attempts = 3 })

job("follow_up", function(args)
  local order = scalev.orders.get(args.order_id)
  log.info("follow up on a paid order", { order = args.order_id, status = order.status })
end)

cron("0 9 * * *", function(fire)
  log.info("paid orders tagged so far", { count = kv.get("tagged") or 0, slot = fire.scheduled })
end, { name = "morning_count", zone = "Asia/Jakarta" })
