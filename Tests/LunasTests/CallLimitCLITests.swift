import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

/// `lunas run --max-calls N` and `[scripts.NAME] max_calls`: real processes against a sandbox of
/// the test's own, whose statistics say how many requests reached it.
@Suite("lunas run's cap on API calls", .testScope)
struct CallLimitCLITests {
    /// A sandbox without rate limits, its base URL and key in the environment of the run.
    static func sandbox() async throws -> (harness: SandboxHarness, environment: [String: String]) {
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 30, rateLimitingEnabled: false), clock: .running)
        return (harness, ["SCALEV_BASE_URL": harness.baseURL, "SCALEV_API_KEY": harness.credentials.businessKey])
    }

    /// The requests the sandbox answered for its business key (a fault's answer is not counted).
    static func served(_ harness: SandboxHarness) async throws -> Int {
        let key = harness.credentials.businessKey
        let stats = try JSON(parsing: try await harness.request("GET", "/_sandbox/stats").body)
        return stats["credentials"]["key:" + key.prefix(7) + "…" + key.suffix(4)]["requests_served"].intValue ?? 0
    }

    /// A script of five reads, each printing its number.
    static let fiveReads = """
        for i = 1, 5 do
          scalev.orders.list({ page_size = 1 })
          print(i)
        end
        """

    @Test("--max-calls 3: a script making 5 calls ends at the 4th with exit 3 and the limit's message; 3 requests reached the API")
    func capped() async throws {
        let (harness, environment) = try await Self.sandbox()
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fiveReads.write(to: folder.appendingPathComponent("five.lua"), atomically: true, encoding: .utf8)
        let result = try await ScalevCLITests.run(["run", "--max-calls", "3", "five.lua"], in: folder, environment: environment)
        #expect(result.status == 3, "\(result.err)")
        #expect(result.out == "1\n2\n3\n")
        #expect(result.err == "lunas: five.lua: API call limit of 3 exceeded at five.lua:2\n")
        #expect(try await Self.served(harness) == 3)
        let free = try await ScalevCLITests.run(["run", "five.lua"], in: folder, environment: environment)
        #expect(free.status == 0 && free.out == "1\n2\n3\n4\n5\n", "no cap without --max-calls: \(free.err)")
    }

    @Test("retries count: a read retried after a 5xx spends two calls")
    func retriesCount() async throws {
        let (harness, environment) = try await Self.sandbox()
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fiveReads.write(to: folder.appendingPathComponent("five.lua"), atomically: true, encoding: .utf8)
        let rule = try await harness.request(
            "POST", "/_sandbox/faults", headers: [("Content-Type", "application/json")],
            body: Array(#"{"route": "GET /v3/orders", "error_rate": 1, "count": 1}"#.utf8))
        #expect(rule.status == 201)
        let result = try await ScalevCLITests.run(["run", "--verbose", "--max-calls", "2", "five.lua"], in: folder, environment: environment)
        #expect(result.status == 3, "\(result.err)")
        #expect(result.out == "1\n", "the first read took both calls: \(result.out)")
        #expect(result.err.contains("scalev ↻ retry GET /v3/orders"), "\(result.err)")
        #expect(result.err.hasSuffix("lunas: five.lua: API call limit of 2 exceeded at five.lua:2\n"), "\(result.err)")
        #expect(result.err.components(separatedBy: "scalev → GET").count - 1 == 2, "two attempts were sent: \(result.err)")
        #expect(try await Self.served(harness) == 1, "one answered, one failed by the fault")
        let faults = try JSON(parsing: try await harness.request("GET", "/_sandbox/faults").body)
        #expect(faults["data"].arrayValue?.first?["count"].intValue == 0, "the fault met the first attempt: \(faults)")
    }

    @Test("pcall and xpcall cannot catch the limit: the run ends at the call")
    func notCatchable() async throws {
        let (harness, environment) = try await Self.sandbox()
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            for i = 1, 5 do
              local ok, err = pcall(scalev.orders.list, { page_size = 1 })
              print(i, ok, ok or tostring(err))
            end
            xpcall(scalev.orders.list, function(err) print("handled", err) end)
            print("after")
            """.write(to: folder.appendingPathComponent("guarded.lua"), atomically: true, encoding: .utf8)
        let result = try await ScalevCLITests.run(["run", "--max-calls", "1", "guarded.lua"], in: folder, environment: environment)
        #expect(result.status == 3, "\(result.err)")
        #expect(result.out == "1\ttrue\ttrue\n", "\(result.out)")
        #expect(result.err == "lunas: guarded.lua: API call limit of 1 exceeded at guarded.lua:2\n")
        #expect(try await Self.served(harness) == 1)
    }

    @Test("a dry run's writes are not sent and not counted; scalev.budget() reports the run's calls and cap")
    func dryRunWritesFree() async throws {
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            local order = scalev.orders.list({ page_size = 1 }).data[1]
            for _ = 1, 5 do scalev.call("updateOrderTags", { id = order.id, tags = { "vip" } }) end
            local budget = scalev.budget()
            print(budget.calls, budget.max_calls)
            """.write(to: folder.appendingPathComponent("tags.lua"), atomically: true, encoding: .utf8)
        let dry = try await ScalevCLITests.run(["run", "--sandbox", "--dry-run", "--max-calls", "2", "tags.lua"], in: folder)
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out == "1\t2\n")
        #expect(dry.err.components(separatedBy: "/update-tags {\"tags\":[\"vip\"]} not sent").count - 1 == 5, "\(dry.err)")
        let real = try await ScalevCLITests.run(["run", "--sandbox", "--max-calls", "2", "tags.lua"], in: folder)
        #expect(real.status == 3 && real.err.hasSuffix("API call limit of 2 exceeded at tags.lua:2\n"), "sent writes count: \(real.err)")
    }

    @Test("[scripts.NAME] max_calls caps the script; --max-calls overrides it; bad values are clear errors")
    func configured() async throws {
        let (harness, environment) = try await Self.sandbox()
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // [scripts.five] is the script scripts/five.lua (its namespace)
        let scripts = folder.appendingPathComponent("scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        try Self.fiveReads.write(to: scripts.appendingPathComponent("five.lua"), atomically: true, encoding: .utf8)
        let configuration = folder.appendingPathComponent("lunas.toml")
        try "[scripts.five]\nmax_calls = 2\n".write(to: configuration, atomically: true, encoding: .utf8)
        let capped = try await ScalevCLITests.run(["run", "scripts/five.lua"], in: folder, environment: environment)
        #expect(capped.status == 3 && capped.out == "1\n2\n", "\(capped.err)")
        #expect(capped.err == "lunas: scripts/five.lua: API call limit of 2 exceeded at scripts/five.lua:2\n")
        #expect(try await Self.served(harness) == 2)
        let flag = try await ScalevCLITests.run(["run", "--max-calls", "5", "scripts/five.lua"], in: folder, environment: environment)
        #expect(flag.status == 0 && flag.out == "1\n2\n3\n4\n5\n", "the flag wins: \(flag.err)")

        for (value, message) in [
            ("0", "lunas.toml: scripts.five.max_calls must be 1 or more API calls per run, not 0"),
            ("-4", "lunas.toml: scripts.five.max_calls must be 1 or more API calls per run, not -4"),
            ("2.5", "lunas.toml: scripts.five.max_calls must be an integer"),
            ("\"10\"", "lunas.toml: scripts.five.max_calls must be an integer"),
        ] {
            try "[scripts.five]\nmax_calls = \(value)\n".write(to: configuration, atomically: true, encoding: .utf8)
            let bad = try await ScalevCLITests.run(["run", "scripts/five.lua"], in: folder, environment: environment)
            #expect(bad.status == 2 && bad.err.contains(message), "max_calls = \(value): \(bad.err)")
            #expect(bad.out.isEmpty)
        }
        try FileManager.default.removeItem(at: configuration)
        for (argument, message) in [
            ("--max-calls=0", "--max-calls must be 1 or more API calls per run, not 0"),
            ("--max-calls=-1", "--max-calls must be 1 or more API calls per run, not -1"),
            ("--max-calls=2.5", "The value '2.5' is invalid for '--max-calls <max-calls>'"),
        ] {
            let bad = try await ScalevCLITests.run(["run", argument, "scripts/five.lua"], in: folder, environment: environment)
            #expect(bad.status == 2, "\(argument): \(bad.status)")
            #expect(bad.err.contains(message), "\(argument): \(bad.err)")
        }
    }
}
