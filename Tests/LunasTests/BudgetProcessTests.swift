import AsyncHTTPClient
import Foundation
import LunasTesting
import Testing

/// Issue 6's cross-process figures: `lunas run` processes sharing one key through the store's
/// ledger, against a sandbox whose windows are scaled down to 20/2s and 200/20s (real time).
@Suite(.serialized, .timeLimit(.minutes(4)), .testScope)
struct BudgetProcessTests {
    static let windows = "20/2s,200/20s"
    /// What the windows allow in any 60 s interval: min(20 * 30, 200 * 3).
    static let allowedPerMinute = 600.0

    struct Group {
        var key: String
        var store: String
        var processes: Int
    }

    @Test("10 processes on one SQLite store (and 3 on one PostgreSQL) share a key: >= 97% of the windows used, no 429")
    func processesShareOneBudget() async throws {
        // the sandbox in a process of its own, as a merchant's would be: not sharing this test
        // process's threads with the tasks that watch the lunas processes
        let (server, out, _) = LunasBinary.process(["sandbox", "--json", "--port", "0", "--rate-limit", Self.windows], in: LunasBinary.packageRoot)
        try server.run()
        defer { server.terminate() }
        let first = await LunasBinary.readLines(out.fileHandleForReading) { !$0.isEmpty }
        let details = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let baseURL = try #require(details["base_url"] as? String)
        let businessKey = try #require(details["business_key"] as? String)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        TestScope.adopt { try await http.shutdown() }
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var groups = [Group(key: businessKey, store: folder.appendingPathComponent("lunas.db").path, processes: 10)]
        if let postgres = KVBackend.postgresURL {
            // a second key of its own, so that both groups measure their own windows at the same time
            var request = HTTPClientRequest(url: baseURL + "/_sandbox/keys")
            request.method = .POST
            request.body = .bytes(Array(#"{"scopes": ["store:list"]}"#.utf8))
            let answer = try await http.execute(request, timeout: .seconds(30)).body.collect(upTo: 1 << 20)
            let key = try #require((try JSONSerialization.jsonObject(with: Data(buffer: answer)) as? [String: Any])?["key"] as? String)
            groups.append(Group(key: key, store: postgres, processes: 3))
        }
        try """
            local stop, n = tonumber(arg[1]), 0
            while os.time() < stop do
              scalev.stores.list { page_size = 1 }
              n = n + 1
            end
            print(n)
            """.write(to: folder.appendingPathComponent("spend.lua"), atomically: true, encoding: .utf8)
        let stop = Int(Date().timeIntervalSince1970) + 64
        let outcomes = try await withThrowingTaskGroup(of: (Int32, String).self) { tasks in
            for group in groups {
                for _ in 0..<group.processes {
                    tasks.addTask {
                        let result = try await ScalevCLITests.run(
                            ["run", "--store", group.store, "--timeout", "120", "spend.lua", "--", String(stop)], in: folder,
                            environment: ["SCALEV_BASE_URL": baseURL, "SCALEV_API_KEY": group.key, "LUNAS_BUDGET": Self.windows])
                        return (result.status, result.err)
                    }
                }
            }
            return try await tasks.reduce(into: []) { $0.append($1) }
        }
        for (status, err) in outcomes { #expect(status == 0, "\(err)") }

        let stats = try await Self.admin(http, baseURL, "/stats")
        let served = try await Self.admin(http, baseURL, "/stats/served")
        for group in groups {
            let name = "key:" + group.key.prefix(7) + "…" + group.key.suffix(4) // the sandbox's label of a key
            let counts = try #require(stats[name] as? [String: Any], "no requests of this key reached the sandbox")
            #expect((counts["rate_limited"] as? Int ?? 99) == 0, "429s: \(counts)")
            let times = try #require(served[name] as? [Double])
            let start = try #require(times.first)
            let used = Double(times.filter { $0 < start + 60 }.count) / Self.allowedPerMinute
            #expect(used >= 0.97 && used <= 1.0, "\(group.processes) processes on \(group.store.hasPrefix("postgres") ? "PostgreSQL" : "SQLite") used \(used) of the windows")
            print("budget: \(group.processes) processes, \(group.store.hasPrefix("postgres") ? "PostgreSQL" : "SQLite"): \(String(format: "%.1f", used * 100))% of 600 in 60 s, 429s: \(counts["rate_limited"] ?? "?")")
        }
    }

    static func admin(_ http: HTTPClient, _ baseURL: String, _ path: String) async throws -> [String: Any] {
        let answer = try await http.execute(HTTPClientRequest(url: baseURL + "/_sandbox" + path), timeout: .seconds(30)).body.collect(upTo: 64 << 20)
        let root = try JSONSerialization.jsonObject(with: Data(buffer: answer)) as? [String: Any]
        return root?["credentials"] as? [String: Any] ?? [:]
    }
}
