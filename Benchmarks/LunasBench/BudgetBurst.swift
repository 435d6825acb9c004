import AsyncHTTPClient
import Foundation
import LunasStore
import RateBudget

/// `budgetburst N`: N GETs of the business key through one process's rate budgets, from
/// `BENCH_SCRIPTS` concurrent scripts (default 10) sharing them (N / scripts each), with the
/// windows of `LUNAS_BUDGET` and a SQLite ledger at `BENCH_STORE`. Prints how many were served
/// and refused; the timing is read from the sandbox's log by Benchmarks/budget/run.sh.
nonisolated func benchBudgetBurst(_ n: Int) async throws {
    let environment = ProcessInfo.processInfo.environment
    guard let base = environment["SCALEV_BASE_URL"], let key = environment["SCALEV_API_KEY"],
          let windows = environment["LUNAS_BUDGET"], let path = environment["BENCH_STORE"] else {
        fail("budgetburst: set SCALEV_BASE_URL, SCALEV_API_KEY, LUNAS_BUDGET and BENCH_STORE")
    }
    let scripts = Int(environment["BENCH_SCRIPTS"] ?? "10") ?? 10
    let spec = try BudgetSpec(parsing: windows)
    let store = try await SQLiteStore(path: path)
    let budgets = RateBudgets(ledger: store)
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let counts = try await withThrowingTaskGroup(of: (served: Int, refused: Int).self) { group in
        for script in 0..<scripts {
            group.addTask {
                var served = 0, refused = 0
                for _ in 0..<(n / scripts + (script < n % scripts ? 1 : 0)) {
                    while true {
                        let grant = try await budgets.acquire(credential: "business", spec: spec, script: "script\(script)")
                        var request = HTTPClientRequest(url: base + "/v3/orders?page_size=1")
                        request.headers.add(name: "Authorization", value: "Bearer " + key)
                        let response = try await http.execute(request, timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        let status = Int(response.status.code)
                        await budgets.observe(credential: "business", script: "script\(script)", grant: grant, status: status,
                                              remaining: response.headers.first(name: "x-ratelimit-remaining").flatMap { Int($0) },
                                              limit: response.headers.first(name: "x-ratelimit-limit").flatMap { Int($0) })
                        if status == 429 { refused += 1; continue }
                        served += 1
                        break
                    }
                }
                return (served, refused)
            }
        }
        return try await group.reduce(into: (served: 0, refused: 0)) { $0.served += $1.served; $0.refused += $1.refused }
    }
    try await http.shutdown()
    await store.close()
    print("budgetburst served=\(counts.served) refused=\(counts.refused) scripts=\(scripts)")
}
