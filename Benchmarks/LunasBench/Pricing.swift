import Foundation
import LuaKit
import LunasRuntime

// `pricing N`: a merchant pricing rule per request through `Runtime.run`, as the pricing route of
// Examples/LunasExamples runs it: a fresh sandboxed state, the chunk from the runtime's cache,
// a 50 ms deadline and a 4 MiB heap, the cart (10 items) built as the handler's input, `price`
// called, its discounts copied out. The Lua text and the cart are identical in
// Benchmarks/c/bench.c. Also times, interleaved in the same slices, the same cycle on LuaKit
// alone (LuaState + cached chunk + handler, no Runtime) and the cart's construction, so the
// figures say where the time goes:
// "pricing us_per_cycle=... p50_us=... p99_us=... luakit_us_per_cycle=... cart_us=..."

let pricingLua = """
    local BULK_QUANTITY, BULK_PERCENT = 3, 10
    local SET, SET_OFF = { "TEA-GREEN", "CUP-CLAY" }, 15000
    local GOLD_PERCENT = 5

    function price(cart)
      local discounts, subtotal, skus = {}, 0, {}
      for _, item in ipairs(cart.items) do
        local amount = item.quantity * item.unit_price
        subtotal = subtotal + amount
        skus[item.sku] = true
        if item.quantity >= BULK_QUANTITY then
          discounts[#discounts + 1] = { rule = "bulk " .. item.sku, amount = amount * BULK_PERCENT // 100 }
        end
      end
      if skus[SET[1]] and skus[SET[2]] then
        discounts[#discounts + 1] = { rule = "tea set", amount = SET_OFF }
      end
      if cart.tier == "gold" then
        local left = subtotal
        for _, discount in ipairs(discounts) do left = left - discount.amount end
        discounts[#discounts + 1] = { rule = "gold member", amount = left * GOLD_PERCENT // 100 }
      end
      return discounts
    end

    """

/// One line of the benchmark's cart.
struct PricingItem {
    let sku: String
    let quantity: Int64
    let unitPrice: Int64
}

/// The cart of Benchmarks/c/bench.c: 10 lines, a gold customer.
let pricingCart = [
    PricingItem(sku: "TEA-GREEN", quantity: 4, unitPrice: 45000), PricingItem(sku: "CUP-CLAY", quantity: 1, unitPrice: 60000),
    PricingItem(sku: "HONEY-250", quantity: 2, unitPrice: 38500), PricingItem(sku: "RICE-5KG", quantity: 1, unitPrice: 89000),
    PricingItem(sku: "COFFEE-GAYO", quantity: 3, unitPrice: 72000), PricingItem(sku: "SAMBAL-ROA", quantity: 6, unitPrice: 27500),
    PricingItem(sku: "KECAP-600", quantity: 2, unitPrice: 24000), PricingItem(sku: "TEMPE-CHIPS", quantity: 5, unitPrice: 15000),
    PricingItem(sku: "GULA-AREN", quantity: 1, unitPrice: 33000), PricingItem(sku: "TEH-TARIK", quantity: 12, unitPrice: 4500),
]
/// Bulk on 5 lines (69,000), the tea set (15,000), gold 5 % of the rest (45,650).
let pricingExpected: Int64 = 129_650 * 100 + 7
let pricingLimits = LuaLimits(memory: 4 << 20, deadline: .milliseconds(50))

/// The handler's input, built per request from the host's values.
@inline(never)
func pricingInput() -> LuaValue {
    let items = pricingCart.map { item in
        LuaValue.table(LuaTable(fields: ["sku": .string(LuaString(item.sku)), "quantity": .integer(item.quantity),
                                         "unit_price": .integer(item.unitPrice)]))
    }
    return .table(LuaTable(fields: ["currency": "IDR", "tier": "gold", "items": .table(LuaTable(array: items))]))
}

/// The discounts' amounts * 100 + their count, as bench.c checks them; 0 when a name is missing.
func pricingCheck(_ values: [LuaValue]) -> Int64 {
    guard case .table(let discounts)? = values.first else { return 0 }
    var sum: Int64 = 0
    for discount in discounts.array {
        guard discount["rule"].stringValue != nil, let amount = discount["amount"].integerValue else { return 0 }
        sum &+= amount
    }
    return sum &* 100 &+ Int64(discounts.array.count)
}

/// One request through the public API; `namespace` given, the run derives none from the
/// script's name (which reads the file system: see `pricing-phases`).
@inline(never)
nonisolated func pricingCycleRuntime(_ runtime: Runtime, output: ScriptOutput, namespace: String? = nil) async -> Int64 {
    var options = ScriptOptions(limits: pricingLimits)
    options.maxPrintBytes = 1 << 10
    options.namespace = namespace
    let result = await runtime.run(RunRequest(
        source: .text(pricingLua, chunkName: "pricing.lua"), handler: RunHandler("price", input: [pricingInput()]),
        options: options, output: output))
    guard case .ok(let values) = result.outcome else { fail("pricing: \(result.outcome)") }
    return pricingCheck(values)
}

let pricingSource = Array(pricingLua.utf8)

/// The same request on LuaKit alone: what Runtime.run adds is the difference.
@inline(never)
nonisolated func pricingCycleLuaKit(_ cache: ChunkCache) async throws -> Int64 {
    let state = try LuaState(profile: .sandboxed, limits: pricingLimits, chunkCache: cache)
    state.deadlineStart = ContinuousClock.now
    let chunk = try state.compile(pricingSource, name: "@pricing.lua")
    _ = try await state.run(chunk)
    guard let price = state.global("price").functionValue else { fail("pricing: no price function") }
    return pricingCheck(try await state.run(price, arguments: [pricingInput()]))
}

nonisolated func benchPricing(_ n: Int) async throws {
    let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: "stdlib", scriptsFolder: nil))
    let output = ScriptOutput { _ in }
    let cache = ChunkCache()
    let slice = max(1, n / REPS)
    for _ in 0...(slice / 4) {
        guard await pricingCycleRuntime(runtime, output: output) == pricingExpected else { fail("pricing: wrong result") }
        guard try await pricingCycleLuaKit(cache) == pricingExpected else { fail("pricing: wrong result (LuaKit)") }
    }
    var latency: [Double] = []
    latency.reserveCapacity(slice * REPS)
    var best = (wall: Double.infinity, cpu: Double.infinity, luakit: Double.infinity, luakitCPU: Double.infinity, cart: Double.infinity)
    for _ in 0..<REPS {
        let c0 = cpuNanoseconds(), t0 = nowNanoseconds()
        var last = t0
        for _ in 0..<slice {
            guard await pricingCycleRuntime(runtime, output: output) == pricingExpected else { fail("pricing: wrong result") }
            let t = nowNanoseconds()
            latency.append((t - last) / 1000)
            last = t
        }
        let c1 = cpuNanoseconds()
        best.wall = min(best.wall, (last - t0) / Double(slice) / 1000)
        best.cpu = min(best.cpu, (c1 - c0) / Double(slice) / 1000)

        let k0 = cpuNanoseconds(), l0 = nowNanoseconds()
        for _ in 0..<slice {
            guard try await pricingCycleLuaKit(cache) == pricingExpected else { fail("pricing: wrong result (LuaKit)") }
        }
        let l1 = nowNanoseconds(), k1 = cpuNanoseconds()
        best.luakit = min(best.luakit, (l1 - l0) / Double(slice) / 1000)
        best.luakitCPU = min(best.luakitCPU, (k1 - k0) / Double(slice) / 1000)

        var built = 0
        let cart = timed(slice) { for _ in 0..<slice { if case .table(let t) = pricingInput() { built &+= t.fields.count } } }
        guard built == 3 * slice else { fail("pricing: wrong cart") }
        best.cart = min(best.cart, cart.wall / 1000)
    }
    latency.sort()
    await runtime.shutdown()
    print(String(
        format: "pricing us_per_cycle=%.2f cpu_us_per_cycle=%.2f p50_us=%.2f p99_us=%.2f runs_per_s=%.0f luakit_us_per_cycle=%.2f cpu_luakit_us_per_cycle=%.2f cart_us=%.2f",
        best.wall, best.cpu, latency[latency.count / 2], latency[latency.count * 99 / 100], 1e6 / best.wall,
        best.luakit, best.luakitCPU, best.cart))
}

// `pricing-phases N`: where a request's time goes — the LuaKit cycle of `pricing` taken apart
// (each variant timed as the best of REPS slices of N / REPS, interleaved):
// "pricing-phases call_us=... run_us=... run_memory_us=... run_limits_us=... runtime_us=..."
//   call_us         synchronous `call` of chunk and handler on the calling thread, no limits
//   run_us          async `run` of both (on LuaKit's executor), no limits
//   run_memory_us   the same with the 4 MiB cap
//   run_limits_us   the same with the cap and the 50 ms deadline (the watchdog armed)
//   runtime_us      Runtime.run, as `pricing`
//   runtime_namespaced_us   Runtime.run with `options.namespace` given: the run then derives no
//                   namespace from the chunk name (a getcwd and a symlink walk per run)

/// The LuaKit cycle of `pricing`, run synchronously (`call`) or async (`run`), under `limits`.
@inline(never)
nonisolated func pricingCycleVariant(_ cache: ChunkCache, limits: LuaLimits, async: Bool) async throws -> Int64 {
    let state = try LuaState(profile: .sandboxed, limits: limits, chunkCache: cache)
    if limits.deadline != nil { state.deadlineStart = ContinuousClock.now }
    let chunk = try state.compile(pricingSource, name: "@pricing.lua")
    if async {
        _ = try await state.run(chunk)
    } else {
        _ = try state.call(chunk)
    }
    guard let price = state.global("price").functionValue else { fail("pricing: no price function") }
    let input = [pricingInput()]
    return pricingCheck(async ? try await state.run(price, arguments: input) : try state.call(price, arguments: input))
}

nonisolated func benchPricingPhases(_ n: Int) async throws {
    let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: "stdlib", scriptsFolder: nil))
    let output = ScriptOutput { _ in }
    let cache = ChunkCache()
    let variants: [(name: String, limits: LuaLimits, async: Bool)] = [
        ("call_us", LuaLimits(), false), ("run_us", LuaLimits(), true),
        ("run_memory_us", LuaLimits(memory: 4 << 20), true), ("run_limits_us", pricingLimits, true),
    ]
    let slice = max(1, n / REPS)
    var best = [Double](repeating: .infinity, count: variants.count + 2)
    for round in 0...REPS {
        for (index, variant) in variants.enumerated() {
            let t0 = nowNanoseconds()
            for _ in 0..<slice {
                guard try await pricingCycleVariant(cache, limits: variant.limits, async: variant.async) == pricingExpected else {
                    fail("pricing-phases: wrong result (\(variant.name))")
                }
            }
            if round > 0 { best[index] = min(best[index], (nowNanoseconds() - t0) / Double(slice) / 1000) }
        }
        let t0 = nowNanoseconds()
        for _ in 0..<slice {
            guard await pricingCycleRuntime(runtime, output: output) == pricingExpected else { fail("pricing-phases: wrong result") }
        }
        if round > 0 { best[variants.count] = min(best[variants.count], (nowNanoseconds() - t0) / Double(slice) / 1000) }
        let n0 = nowNanoseconds()
        for _ in 0..<slice {
            guard await pricingCycleRuntime(runtime, output: output, namespace: "pricing") == pricingExpected else {
                fail("pricing-phases: wrong result (namespaced)")
            }
        }
        if round > 0 { best[variants.count + 1] = min(best[variants.count + 1], (nowNanoseconds() - n0) / Double(slice) / 1000) }
    }
    await runtime.shutdown()
    let names = variants.map(\.name) + ["runtime_us", "runtime_namespaced_us"]
    print("pricing-phases " + zip(names, best).map { String(format: "%@=%.2f", $0.0, $0.1) }.joined(separator: " "))
}
