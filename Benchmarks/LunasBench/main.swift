// lunas-bench: the Swift (LuaKit) side of the Lunas benchmark suite, run by Benchmarks/run.sh.
//
//   lunas-bench hostcall N   Lua -> Swift host call through LuaKit's registerRaw fast path,
//                            `ident(i)` in a tight Lua loop: "hostcall ns_per_call=..."
//   lunas-bench freshrun N   a fresh sandboxed run of a cached small rule: new LuaState(.sandboxed)
//                            + the chunk from a ChunkCache + run + close. Measures the synchronous
//                            `call` and the async `run`, interleaved in slices:
//                            "freshrun us_per_cycle=... us_per_cycle_async=..."
//   lunas-bench pricing N    a merchant pricing rule per request through Runtime.run (Pricing.swift):
//                            "pricing us_per_cycle=... p50_us=... p99_us=... luakit_us_per_cycle=..."
//   lunas-bench pricing-phases N   the same cycle taken apart (sync/async, limits): where the
//                            time goes
//   lunas-bench parked N     N runs parked at once in an async host function awaiting a shared
//                            gate; process RSS before/after and the Lua heaps:
//                            "parked kib_per_run=... lua_kib_per_run=... host_kib_per_run=..."
//   lunas-bench scalevwalk P the baseline of Benchmarks/scalev/run.sh: a plain sequential cursor
//                            walk of GET /v3/orders?page_size=P with AsyncHTTPClient, each page
//                            parsed by Foundation's JSONSerialization (`data`, `next_cursor`,
//                            `has_next`; every order's `id` read), against $SCALEV_BASE_URL with
//                            the Bearer key $SCALEV_API_KEY (env, like `lunas run`):
//                            "scalevwalk orders=... pages=... id_bytes=... seconds=..."
//   lunas-bench scalevwalk-decodable P   the same walk decoded with JSONDecoder into a model
//                            holding only `id`, `has_next` and `next_cursor` (a second,
//                            leaner reference: the other fields are skipped, not materialised)
//
// The Lua text of hostcall, freshrun and pricing is identical to Benchmarks/c/bench.c (the C baselines),
// and the timing rule is the same: the best of REPS equal slices after a warm-up, in wall time
// (CLOCK_MONOTONIC) and in process CPU time (CLOCK_PROCESS_CPUTIME_ID: all threads; a busy
// neighbour on the machine inflates it much less than wall time, though not zero).

import AsyncHTTPClient
import Foundation
import LuaKit
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

let REPS = 20

func clockNanoseconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
}
func nowNanoseconds() -> Double { clockNanoseconds(CLOCK_MONOTONIC) }
func cpuNanoseconds() -> Double { clockNanoseconds(CLOCK_PROCESS_CPUTIME_ID) }

/// Times `body` over `count` iterations: (wall ns, CPU ns) per iteration.
@inline(__always)
func timed(_ count: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let c0 = cpuNanoseconds(), t0 = nowNanoseconds()
    try body()
    let t1 = nowNanoseconds(), c1 = cpuNanoseconds()
    return ((t1 - t0) / Double(count), (c1 - c0) / Double(count))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lunas-bench: \(message)\n".utf8))
    exit(1)
}

// MARK: - hostcall

let hostcallLua = """
    local n = ...
    local ident = ident
    local s = 0
    for i = 1, n do s = s + ident(i) end
    return s

    """

/// The host context the function reaches (a captured object), like the C closure's
/// lightuserdata upvalue; both sides add its `offset` (0) to the argument.
final class HostContext {
    let offset: Int64 = 0
}

func benchHostcall(_ n: Int) throws {
    let state = try LuaState(profile: .sandboxed)
    let context = HostContext()
    state.registerRaw("ident") { call in
        call.push(try call.integer(1) &+ context.offset)
        return 1
    }
    let chunk = try state.compile(hostcallLua, name: "=hostcall")
    let slice = max(1, n / REPS)
    _ = try state.call(chunk, arguments: [.integer(Int64(slice / 4 + 1))])
    var best = Double.infinity, bestCPU = Double.infinity
    for _ in 0..<REPS {
        var results: [LuaValue] = []
        let t = try timed(slice) { results = try state.call(chunk, arguments: [.integer(Int64(slice))]) }
        guard results.first?.integerValue == Int64(slice) * Int64(slice + 1) / 2 else { fail("hostcall: wrong sum") }
        best = min(best, t.wall)
        bestCPU = min(bestCPU, t.cpu)
    }
    print(String(format: "hostcall ns_per_call=%.2f cpu_ns_per_call=%.2f", best, bestCPU))
}

// MARK: - freshrun

let freshrunLua = """
    local orders = {
      {id=1,status='paid',gross=125000,tags={'web'}},{id=2,status='pending',gross=89000,tags={'wa'}},
      {id=3,status='paid',gross=430000,tags={'web','vip'}},{id=4,status='shipped',gross=56000,tags={}},
      {id=5,status='cancelled',gross=99000,tags={'web'}},{id=6,status='paid',gross=1250000,tags={'mp'}},
      {id=7,status='delivered',gross=310000,tags={'wa'}},{id=8,status='paid',gross=76000,tags={}},
      {id=9,status='pending',gross=640000,tags={'web'}},{id=10,status='shipped',gross=215000,tags={'mp'}},
      {id=11,status='paid',gross=58000,tags={'wa'}},{id=12,status='delivered',gross=990000,tags={'vip'}},
      {id=13,status='paid',gross=143000,tags={}},{id=14,status='cancelled',gross=27000,tags={'web'}},
      {id=15,status='paid',gross=812000,tags={'mp'}},{id=16,status='pending',gross=67000,tags={}},
      {id=17,status='shipped',gross=455000,tags={'web'}},{id=18,status='paid',gross=38000,tags={'wa'}},
      {id=19,status='delivered',gross=205000,tags={}},{id=20,status='paid',gross=1500000,tags={'vip'}},
    }
    local totals, big = {}, 0
    for _, o in ipairs(orders) do
      if o.status ~= 'cancelled' then
        totals[o.status] = (totals[o.status] or 0) + o.gross
        if o.gross >= 500000 then
          o.tags[#o.tags + 1] = 'big'
          big = big + 1
        end
      end
    end
    local paid = totals.paid or 0
    return paid + big

    """
let freshrunExpected: Int64 = 4_432_005
let freshrunSource = Array(freshrunLua.utf8)

/// One synchronous cycle: fresh sandboxed state, the chunk from the cache, `call`, close.
@inline(never)
func freshCycleSync(_ cache: ChunkCache) throws -> Int64 {
    let state = try LuaState(profile: .sandboxed, chunkCache: cache)
    let chunk = try state.compile(freshrunSource, name: "=freshrun")
    return try state.call(chunk).first?.integerValue ?? -1
}

/// One async cycle: the same with `run` (on LuaKit's executor threads, from the caller's task).
@inline(never)
nonisolated func freshCycleAsync(_ cache: ChunkCache) async throws -> Int64 {
    let state = try LuaState(profile: .sandboxed, chunkCache: cache)
    let chunk = try state.compile(freshrunSource, name: "=freshrun")
    return try await state.run(chunk).first?.integerValue ?? -1
}

nonisolated func benchFreshrun(_ n: Int) async throws {
    let cache = ChunkCache()
    let slice = max(1, n / REPS)
    for _ in 0...(slice / 4) {
        guard try freshCycleSync(cache) == freshrunExpected else { fail("freshrun: wrong result") }
        guard try await freshCycleAsync(cache) == freshrunExpected else { fail("freshrun: wrong result (async)") }
    }
    var best = (sync: Double.infinity, syncCPU: Double.infinity, async: Double.infinity, asyncCPU: Double.infinity)
    for _ in 0..<REPS {
        var check: Int64 = 0
        let t = try timed(slice) { for _ in 0..<slice { check &+= try freshCycleSync(cache) } }
        guard check == freshrunExpected * Int64(slice) else { fail("freshrun: wrong result") }
        best.sync = min(best.sync, t.wall / 1000)
        best.syncCPU = min(best.syncCPU, t.cpu / 1000)

        check = 0
        let c0 = cpuNanoseconds(), t0 = nowNanoseconds()
        for _ in 0..<slice { check &+= try await freshCycleAsync(cache) }
        let t1 = nowNanoseconds(), c1 = cpuNanoseconds()
        guard check == freshrunExpected * Int64(slice) else { fail("freshrun: wrong result (async)") }
        best.async = min(best.async, (t1 - t0) / Double(slice) / 1000)
        best.asyncCPU = min(best.asyncCPU, (c1 - c0) / Double(slice) / 1000)
    }
    print(String(
        format: "freshrun us_per_cycle=%.2f cpu_us_per_cycle=%.2f us_per_cycle_async=%.2f cpu_us_per_cycle_async=%.2f",
        best.sync, best.syncCPU, best.async, best.asyncCPU))
}

// MARK: - parked

let parkedLua = """
    local order = { id = 7, status = "paid", gross_revenue = 125000 }
    local answer = wait(order.id)
    return answer + order.gross_revenue

    """

/// The shared gate every parked run awaits.
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if isOpen {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }

    func open() {
        lock.lock()
        isOpen = true
        let all = waiters
        waiters = []
        lock.unlock()
        for waiter in all { waiter.resume() }
    }
}

/// A weak reference the async host function uses to read its state's heap while parked (the
/// state's Lua thread is idle then).
final class StateRef: @unchecked Sendable {
    weak var state: LuaState?
}

let parkedCount = Atomic<Int>(0)
let parkedLuaBytes = Atomic<Int>(0)

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Bytes glibc's malloc has handed out and not taken back (mallinfo2's uordblks + hblkhd), or 0.
/// Swift does not import <malloc.h>, so the function is looked up with dlsym; its 80-byte struct
/// result comes back through a hidden pointer, which on x86-64 is the first argument.
func mallocInUse() -> Int {
    #if os(Linux) && arch(x86_64)
    typealias Mallinfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer
    guard let symbol = dlsym(nil, "mallinfo2") else { return 0 } // nil: RTLD_DEFAULT
    let mallinfo2 = unsafeBitCast(symbol, to: Mallinfo2.self)
    let info = UnsafeMutablePointer<Int>.allocate(capacity: 10)
    defer { info.deallocate() }
    info.initialize(repeating: 0, count: 10)
    _ = mallinfo2(UnsafeMutableRawPointer(info))
    return info[7] + info[4] // uordblks (in use in the arenas) + hblkhd (mmapped blocks)
    #else
    return 0
    #endif
}

/// One run that parks in `wait` until the gate opens.
nonisolated func parkedRun(_ cache: ChunkCache, gate: Gate, limits: LuaLimits) async throws -> Int64 {
    let state = try LuaState(profile: .sandboxed, limits: limits, chunkCache: cache)
    let ref = StateRef()
    ref.state = state
    state.registerAsync("wait") { arguments in
        parkedLuaBytes.add(ref.state?.memoryUsed ?? 0, ordering: .relaxed)
        parkedCount.add(1, ordering: .releasing)
        await gate.wait()
        return [.integer(arguments.first?.integerValue ?? 0)]
    }
    let chunk = try state.compile(Array(parkedLua.utf8), name: "=parked")
    return try await state.run(chunk).first?.integerValue ?? -1
}

nonisolated func benchParked(_ n: Int) async throws {
    let cache = ChunkCache()
    // What a deployed run has: a memory cap and an armed deadline (as `lunas run`).
    let limits = LuaLimits(memory: 64 << 20, deadline: .seconds(3600))
    // Warm-up: executor and watchdog threads, the Lua library pages, the cache.
    let warmGate = Gate()
    warmGate.open()
    for _ in 0..<8 {
        guard try await parkedRun(cache, gate: warmGate, limits: limits) == 125_007 else { fail("parked: wrong result") }
    }
    parkedCount.store(0, ordering: .relaxed)
    parkedLuaBytes.store(0, ordering: .relaxed)

    let gate = Gate()
    let rssBefore = residentBytes()
    let mallocBefore = mallocInUse()
    var rssAfter = 0, mallocAfter = 0, luaBytes = 0
    let results = try await withThrowingTaskGroup(of: Int64.self, returning: [Int64].self) { group in
        for _ in 0..<n {
            group.addTask { try await parkedRun(cache, gate: gate, limits: limits) }
        }
        let deadline = nowNanoseconds() + 300e9
        while parkedCount.load(ordering: .acquiring) < n {
            if nowNanoseconds() > deadline { fail("parked: only \(parkedCount.load(ordering: .relaxed)) of \(n) runs parked") }
            try await Task.sleep(for: .milliseconds(5))
        }
        rssAfter = residentBytes()
        mallocAfter = mallocInUse()
        luaBytes = parkedLuaBytes.load(ordering: .relaxed)
        gate.open()
        var results: [Int64] = []
        results.reserveCapacity(n)
        for try await result in group { results.append(result) }
        return results
    }
    guard results.count == n, results.allSatisfy({ $0 == 125_007 }) else { fail("parked: wrong results") }
    let perRun = Double(rssAfter - rssBefore) / Double(n) / 1024
    let luaPerRun = Double(luaBytes) / Double(n) / 1024
    let mallocPerRun = Double(mallocAfter - mallocBefore) / Double(n) / 1024
    print(String(
        format: "parked kib_per_run=%.2f lua_kib_per_run=%.2f host_kib_per_run=%.2f malloc_kib_per_run=%.2f runs=%d",
        perRun, luaPerRun, perRun - luaPerRun, mallocPerRun, n))
}

// MARK: - scalevwalk

/// The page model of `scalevwalk-decodable`: only what the walk reads.
struct OrderPage: Decodable {
    struct Order: Decodable { let id: String }
    let data: [Order]
    let has_next: Bool
    let next_cursor: String?
}

/// Walks every order with one shared client, one request at a time, as `scalev.orders.each` does:
/// the same headers as Lunas' transport (Accept, User-Agent, Authorization), the whole body
/// collected, then parsed (JSONSerialization, or JSONDecoder into ``OrderPage``). The time covers
/// the walk only (client creation and shutdown excluded).
nonisolated func benchScalevWalk(pageSize: Int, decodable: Bool) async throws {
    let decoder = JSONDecoder()
    let environment = ProcessInfo.processInfo.environment
    guard let base = environment["SCALEV_BASE_URL"], let key = environment["SCALEV_API_KEY"] else {
        fail("scalevwalk: set SCALEV_BASE_URL and SCALEV_API_KEY")
    }
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    var orders = 0, pages = 0, idBytes = 0
    var elapsed = 0.0, cpu = 0.0
    do {
        var cursor: String? = nil
        let c0 = cpuNanoseconds(), t0 = nowNanoseconds()
        while true {
            var url = base + "/v3/orders?page_size=\(pageSize)"
            if let cursor {
                url += "&next_cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? cursor)
            }
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "lunas-bench/1")
            request.headers.add(name: "Authorization", value: "Bearer " + key)
            let response = try await http.execute(request, timeout: .seconds(60))
            let buffer = try await response.body.collect(upTo: 64 << 20)
            guard response.status.code == 200 else {
                fail("scalevwalk: GET \(url) -> \(response.status.code): \(String(decoding: buffer.readableBytesView, as: UTF8.self))")
            }
            let body = Data(buffer.readableBytesView)
            pages += 1
            let next: String?
            if decodable {
                let page = try decoder.decode(OrderPage.self, from: body)
                orders += page.data.count
                for order in page.data { idBytes += order.id.utf8.count }
                next = page.has_next ? page.next_cursor : nil
            } else {
                guard let page = try JSONSerialization.jsonObject(with: body) as? [String: Any],
                      let data = page["data"] as? [[String: Any]] else { fail("scalevwalk: the answer is not a page of orders") }
                orders += data.count
                for order in data {
                    guard let id = order["id"] as? String else { fail("scalevwalk: an order without a string id") }
                    idBytes += id.utf8.count
                }
                next = page["has_next"] as? Bool == true ? page["next_cursor"] as? String : nil
            }
            guard let next else { break }
            cursor = next
        }
        let t1 = nowNanoseconds(), c1 = cpuNanoseconds()
        elapsed = (t1 - t0) / 1e9
        cpu = (c1 - c0) / 1e9
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
    print(String(format: "\(decodable ? "scalevwalk-decodable" : "scalevwalk") orders=%d pages=%d id_bytes=%d seconds=%.6f cpu_seconds=%.6f", orders, pages, idBytes, elapsed, cpu))
}

// MARK: - main

let arguments = CommandLine.arguments
if arguments.count > 1 && arguments[1] == "serve-jobs" {
    do { try await ServeJobsBench.main(arguments) } catch { fail("\(error)") }
    fflush(nil)
    exit(0)
}
guard arguments.count == 3, let n = Int(arguments[2]), n > 0 else {
    FileHandle.standardError.write(Data("usage: lunas-bench hostcall|freshrun|pricing|pricing-phases|parked|scalevwalk|scalevwalk-decodable|budgetburst N\n       lunas-bench serve-jobs sqlite|postgres lunas|raw N [POSTGRES_URL]\n".utf8))
    exit(2)
}
do {
    switch arguments[1] {
    case "hostcall": try benchHostcall(n)
    case "freshrun": try await benchFreshrun(n)
    case "pricing": try await benchPricing(n)
    case "pricing-phases": try await benchPricingPhases(n)
    case "parked": try await benchParked(n)
    case "scalevwalk": try await benchScalevWalk(pageSize: n, decodable: false)
    case "scalevwalk-decodable": try await benchScalevWalk(pageSize: n, decodable: true)
    case "budgetburst": try await benchBudgetBurst(n)
    default:
        FileHandle.standardError.write(Data("lunas-bench: unknown benchmark '\(arguments[1])'\n".utf8))
        exit(2)
    }
} catch {
    fail("\(error)")
}
fflush(nil)
