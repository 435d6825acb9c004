-- N sequential calls through the budget (Benchmarks/budget/run.sh): `lunas run calls.lua -- N`.
local n = tonumber(arg[1]) or 100
for _ = 1, n do
  scalev.call("listOrders", { page_size = 1 })
end
print("calls " .. n)
