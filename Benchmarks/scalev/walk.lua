-- Walks every order of the store through scalev.orders.each (Benchmarks/scalev/run.sh).
-- Each order's id is read, so each page is really decoded into Lua tables; the Lua heap is
-- sampled once a page (collectgarbage("count"), allowed in the sandbox) to show it stays flat.
local count, id_bytes, peak_kib = 0, 0, 0
for order in scalev.orders.each({ page_size = 25 }, { progress = false }) do
  count = count + 1
  id_bytes = id_bytes + #order.id
  if count % 25 == 0 then
    local kib = collectgarbage("count")
    if kib > peak_kib then peak_kib = kib end
  end
end
print(string.format("walk orders=%d id_bytes=%d lua_peak_kib=%.1f", count, id_bytes, peak_kib))
