import AsyncHTTPClient
import Foundation
import LunasTesting
import ScalevModel
import Testing

/// `lunas serve` as an operator meets it: the sandbox mode, schedules firing in real time,
/// SIGHUP reloads, the health, readiness and metrics endpoints, retries ending dead, replays of
/// the stored version.
@Suite(.timeLimit(.minutes(3))) struct RunnerLifecycleTests {
    static let secret = "lifecycle-secret"

    static func event(_ kind: String, id: String, data: String = "{}") -> (body: [UInt8], signature: String) {
        let body = Array(#"{"event":"\#(kind)","unique_id":"\#(id)","timestamp":"2026-12-02T00:00:00Z","data":\#(data)}"#.utf8)
        return (body, WebhookSignature.signature(body: body, secret: secret))
    }

    static func post(_ url: String, _ event: (body: [UInt8], signature: String)) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: WebhookSignature.header, value: event.signature)
        request.body = .bytes(event.body)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    static func finished(_ serve: ServeProcess, where match: @escaping ([String: String]) -> Bool) async -> [String: String]? {
        guard let line = await serve.line(where: { line in
            guard let fields = ServeProcess.fields(line), fields["message"] == "run finished" else { return false }
            return match(fields)
        }) else { return nil }
        return ServeProcess.fields(line)
    }

    @Test func theSandboxModeRegistersItsWebhookAndAnEveryScheduleFires() async throws {
        let folder = try ServeFolder(rules: ["ticks": #"every("1s", function(fire) log.info("tick", { at = fire.scheduled }) end, { name = "tick" })"#])
        let serve = try ServeProcess(folder: folder.url, arguments: ["--sandbox"])
        #expect(await serve.line { $0.contains("delivers its webhooks to http://127.0.0.1:") } != nil, "\(serve.log.joined(separator: "\n"))")
        let tick = await Self.finished(serve) { $0["handler"] == "tick" }
        #expect(tick?["outcome"] == "ok")
        #expect(tick?["trigger"]?.hasPrefix("every:tick@") == true)
        #expect(await serve.stop() == 0)
        let schedules = try LunasCommand.run(["schedules", "list", "--sandbox"], in: folder.url)
        #expect(schedules.stdout.contains("tick  every 1s"), "\(schedules.stdout)\(schedules.stderr)")
        #expect(schedules.stdout.contains("last ok"), "\(schedules.stdout)")
        let paused = try LunasCommand.run(["schedules", "pause", "tick", "--sandbox"], in: folder.url)
        #expect(paused.status == 0 && paused.stdout.contains("tick: paused"))
        let unknown = try LunasCommand.run(["schedules", "pause", "tock", "--sandbox"], in: folder.url)
        #expect(unknown.status == 2 && unknown.stderr.contains("there is no schedule 'tock' (known: tick)"), "\(unknown.stderr)")
    }

    @Test func sighupReloadsTheRulesAndABrokenEditKeepsTheLastGoodVersion() async throws {
        let folder = try ServeFolder(rules: ["orders": #"on("order.*", function(event) log.info("v1") end)"#])
        let serve = try ServeProcess(folder: folder.url, arguments: [], environment: ["SCALEV_WEBHOOK_SECRET": Self.secret])
        let port = try #require(await serve.port())
        let hook = "http://127.0.0.1:\(port)/webhooks/scalev"

        try Data("on(\"order.*\", function(event) log.info(\"v2\") end".utf8).write(to: folder.url.appendingPathComponent("rules/orders.lua"))
        serve.send(SIGHUP)
        let problem = await serve.line { ServeProcess.fields($0)?["message"]?.hasPrefix("rules file not loaded") == true }
        #expect(problem?.contains("orders.lua") == true, "\(problem ?? "")")
        #expect(try await Self.post(hook, Self.event("order.created", id: "e1")).status == 200)
        #expect(await Self.finished(serve) { $0["trigger"] == "webhook:e1" }?["outcome"] == "ok")

        try Data(#"on("refund.*", function(event) log.info("refunds") end)"#.utf8).write(to: folder.url.appendingPathComponent("rules/refunds.lua"))
        serve.send(SIGHUP)
        #expect(await serve.line { ServeProcess.fields($0)?["script"] == "refunds" && ServeProcess.fields($0)?["message"] == "rules loaded" } != nil)
        #expect(try await Self.post(hook, Self.event("refund.created", id: "e2")).status == 200)
        #expect(await Self.finished(serve) { $0["trigger"] == "webhook:e2" }?["handler"] == "refunds:on:refund.*")
        #expect(await serve.stop() == 0)

        // the run of e1 ran the last good version (v1), not the broken edit
        let runs = try LunasCommand.run(["runs", "list", "--json"], in: folder.url).lines.compactMap(ServeProcess.anyFields)
        let first = try #require(runs.first { $0["trigger"] as? String == "webhook:e1" })
        let shown = try LunasCommand.run(["runs", "show", "\(first["id"] as? Int ?? 0)"], in: folder.url)
        #expect(shown.stdout.contains("v1"), "\(shown.stdout)")
    }

    @Test func healthReadinessMetricsAndWhatTheIntakeRefuses() async throws {
        let folder = try ServeFolder(rules: ["orders": #"on("order.*", function(event) end)"#], toml: "max_body = 2048")
        let serve = try ServeProcess(folder: folder.url, arguments: [], environment: ["SCALEV_WEBHOOK_SECRET": Self.secret])
        let port = try #require(await serve.port())
        let base = "http://127.0.0.1:\(port)"
        #expect(try await Self.get(base + "/healthz").status == 200)
        let ready = try await Self.get(base + "/readyz")
        #expect(ready.status == 200 && ready.body.contains("\"ready\":true"))
        #expect(try await Self.post(base + "/webhooks/scalev", Self.event("order.created", id: "m1")).status == 200)
        #expect(try await Self.post(base + "/webhooks/scalev", Self.event("business.test_event", id: "t1")).status == 200)
        let big = Self.event("order.created", id: "big", data: "{\"pad\":\"" + String(repeating: "x", count: 4096) + "\"}")
        #expect(try await Self.post(base + "/webhooks/scalev", big).status == 413)
        let unknown = try await Self.post(base + "/webhooks/shopify", Self.event("order.created", id: "u1"))
        #expect(unknown.status == 404 && unknown.body.contains("configured: scalev"))
        _ = await Self.finished(serve) { $0["trigger"] == "webhook:m1" }
        let metrics = try await Self.get(base + "/metrics").body
        #expect(metrics.contains(#"lunas_runs_total{outcome="ok"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"lunas_webhooks_total{result="accepted"} 1"#))
        #expect(metrics.contains(#"lunas_webhooks_total{result="too_large"} 1"#))
        #expect(metrics.contains("lunas_run_duration_seconds"))
        #expect(metrics.contains("lunas_job_lag_seconds_count 1"), "\(metrics)")
        #expect(await serve.stop() == 0)
    }

    @Test func aFailingRuleIsRetriedThenDeadAndAReplayRunsTheStoredVersion() async throws {
        let folder = try ServeFolder(rules: ["failing": #"on("charge.*", function(event) error("boom " .. event.data.n) end, { attempts = 2 })"#])
        let serve = try ServeProcess(folder: folder.url, arguments: [], environment: ["SCALEV_WEBHOOK_SECRET": Self.secret])
        let port = try #require(await serve.port())
        #expect(try await Self.post("http://127.0.0.1:\(port)/webhooks/scalev", Self.event("charge.failed", id: "c1", data: #"{"n":7}"#)).status == 200)
        #expect(await Self.finished(serve) { $0["trigger"] == "webhook:c1" && $0["attempt"] == "1" }?["outcome"] == "failed")
        #expect(await Self.finished(serve) { $0["trigger"] == "webhook:c1" && $0["attempt"] == "2" }?["outcome"] == "failed")
        #expect(await serve.stop() == 0)

        let dead = try LunasCommand.run(["jobs", "list", "--state", "dead"], in: folder.url).lines
        #expect(dead.count == 1 && dead.first?.contains("attempt 2/2") == true, "\(dead)")
        let runs = try LunasCommand.run(["runs", "list", "--json"], in: folder.url).lines.compactMap(ServeProcess.anyFields)
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { ($0["error"] as? String)?.contains("failing.lua:1: boom 7") == true }, "\(runs)")
        let id = try #require(runs.first?["id"] as? Int)

        // the file is fixed, but a replay runs the version the run ran: it fails the same way
        try Data(#"on("charge.*", function(event) end)"#.utf8).write(to: folder.url.appendingPathComponent("rules/failing.lua"))
        let replay = try LunasCommand.run(["runs", "replay", "\(id)"], in: folder.url)
        #expect(replay.status == 1, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.contains("failed  failing  failing:on:charge.*  replay:\(id)"), "\(replay.stdout)")
        let missing = try LunasCommand.run(["runs", "show", "999999"], in: folder.url)
        #expect(missing.status == 2 && missing.stderr.contains("there is no run 999999"))
    }

    @Test func aRunWaitingOnItsBudgetGivesUpItsSlot() async throws {
        try await SandboxHarness.with { harness in
            let folder = try ServeFolder(rules: ["mixed": """
                on("slow.budget", function(event)
                  scalev.call("listOrders", { page_size = 1 })
                  scalev.call("listOrders", { page_size = 1 })   -- waits ~6 s for the 1/6s budget
                end)
                on("quick.thing", function(event) end)
                """], serve: "concurrency = 1")
            let serve = try ServeProcess(folder: folder.url, arguments: [], environment: [
                "SCALEV_WEBHOOK_SECRET": Self.secret, "SCALEV_API_KEY": harness.credentials.businessKey, "SCALEV_BASE_URL": harness.baseURL,
                "LUNAS_BUDGET": "1/6s", "LUNAS_LOG_LEVEL": "debug",
            ])
            let port = try #require(await serve.port())
            let hook = "http://127.0.0.1:\(port)/webhooks/scalev"
            #expect(try await Self.post(hook, Self.event("slow.budget", id: "s1")).status == 200)
            _ = await serve.line { ServeProcess.fields($0)?["message"] == "run started" && ServeProcess.fields($0)?["trigger"] == "webhook:s1" }
            #expect(try await Self.post(hook, Self.event("quick.thing", id: "q1")).status == 200)
            // with its one slot taken by a run that waits on the budget, the quick run still goes first
            let first = await Self.finished(serve) { _ in true }
            #expect(first?["trigger"] == "webhook:q1", "\(serve.log.joined(separator: "\n"))")
            let second = await Self.finished(serve) { _ in true }
            #expect(second?["trigger"] == "webhook:s1" && second?["outcome"] == "ok")
            // the budgets report through swift-metrics into the same /metrics
            let metrics = try await Self.get("http://127.0.0.1:\(port)/metrics").body
            #expect(metrics.contains("lunas_budget_requests_sent"), "\(metrics)")
            #expect(metrics.contains("lunas_run_budget_wait_seconds"))
            #expect(await serve.stop() == 0)
        }
    }
}
