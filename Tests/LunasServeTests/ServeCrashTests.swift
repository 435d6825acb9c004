import AsyncHTTPClient
import Foundation
import LunasRuntime
import LunasTesting
import ScalevModel
import Testing

/// Durability of `lunas serve`: a runner killed with SIGKILL while 1,000 webhook jobs are queued
/// or running loses none of them — every event answered 200 runs after a restart, and an event
/// whose handler ran twice is one whose first run was cut mid-way (its recorded run is a later
/// attempt) — and SIGTERM lets runs in flight finish within the grace, exit 0.
@Suite(.timeLimit(.minutes(5))) struct ServeCrashTests {
    static let rule = """
        on("load.*", function(event)
          kv.incr("done:" .. event.data.n)
          local n = 0
          for i = 1, 1000000 do n = n + i end
        end)
        """

    @Test func aRunnerKilledMidWayLosesNoJobAndRepeatsOnlyCutRuns() async throws {
        let folder = try ServeFolder(rules: ["load": Self.rule], serve: "concurrency = 8")
        let secret = "crash-test-secret"
        let environment = ["SCALEV_WEBHOOK_SECRET": secret]
        let first = try ServeProcess(folder: folder.url, arguments: [], environment: environment)
        let port = try #require(await first.port(), "\(first.log.joined(separator: "\n"))")
        let hook = "http://127.0.0.1:\(port)/webhooks/scalev"
        let total = 1000
        let http = HTTPClient.shared
        // every event is sent (and answered 200) before the kill; the runner works through them meanwhile
        try await withThrowingTaskGroup(of: Int.self) { group in
            for start in stride(from: 0, to: total, by: 50) {
                group.addTask {
                    var ok = 0
                    for n in start..<min(start + 50, total) {
                        let body = Array(#"{"event":"load.test","unique_id":"ev-\#(n)","timestamp":"2026-12-02T00:00:00Z","data":{"n":\#(n)}}"#.utf8)
                        var request = HTTPClientRequest(url: hook)
                        request.method = .POST
                        request.headers.add(name: "X-Scalev-Hmac-Sha256", value: WebhookSignature.signature(body: body, secret: secret))
                        request.body = .bytes(body)
                        let response = try await http.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 16)
                        if response.status.code == 200 { ok += 1 }
                    }
                    return ok
                }
            }
            let answered = try await group.reduce(0, +)
            #expect(answered == total)
        }
        #expect(await first.stop(SIGKILL) == SIGKILL)
        let finishedBeforeKill = first.log.filter { ServeProcess.fields($0)?["message"] == "run finished" }.count

        // what the killed runner finished; the rest — queued, or cut mid-run — the next one must
        let doneBefore = try LunasCommand.run(["jobs", "list", "--state", "done", "--limit", "10000"], in: folder.url).lines.count
        let remaining = total - doneBefore
        let second = try ServeProcess(folder: folder.url, arguments: [], environment: environment)
        var finishedAfter = 0
        if remaining > 0 {
            _ = await second.line { line in
                guard let fields = ServeProcess.fields(line), fields["message"] == "run finished" else { return false }
                if fields["outcome"] == "ok" { finishedAfter += 1 } else { Issue.record("a run failed: \(line)") }
                return finishedAfter >= remaining
            }
        }
        #expect(await second.stop() == 0)

        let done = try LunasCommand.run(["jobs", "list", "--state", "done", "--limit", "10000"], in: folder.url).lines.count
        #expect(done == total)
        let runs = try LunasCommand.run(["runs", "list", "--json", "--limit", "10000"], in: folder.url).lines.compactMap(ServeProcess.anyFields)
        var attempts: [String: Int] = [:]
        for run in runs where run["outcome"] as? String == "ok" {
            if let trigger = run["trigger"] as? String { attempts[trigger] = max(attempts[trigger] ?? 0, run["attempt"] as? Int ?? 0) }
        }
        #expect(attempts.count == total)
        // each handler counted its event in kv: more than once only where the recorded run is a later attempt
        let runtime = Runtime(configuration: RuntimeConfiguration(
            stdlibFolder: "stdlib", store: .sqlite(path: folder.url.appendingPathComponent("lunas.db").path)))
        let counts = try runtime.data(in: "load")
        var repeated = 0
        for n in 0..<total {
            let count = Int(try await counts.get("done:\(n)")?.json ?? "0") ?? 0
            #expect(count >= 1, "event \(n) never ran")
            if count > 1 {
                repeated += 1
                #expect((attempts["webhook:ev-\(n)"] ?? 0) > 1, "event \(n) ran \(count) times, yet its recorded run is attempt 1")
            }
        }
        await runtime.shutdown()
        print("crash test: \(finishedBeforeKill) runs logged before SIGKILL, \(remaining) jobs left, \(repeated) handlers ran twice")
    }

    static let slowRule = """
        on("slow.event", function(event)
          local n = 0
          for i = 1, event.data.loops do n = n + i end
        end)
        """

    @Test(arguments: [(loops: 20_000_000, grace: "20s", finishes: true), (loops: 4_000_000_000, grace: "1s", finishes: false)])
    func sigtermLetsRunsFinishWithinTheGraceAndRequeuesTheRest(_ scenario: (loops: Int, grace: String, finishes: Bool)) async throws {
        let folder = try ServeFolder(rules: ["slow": Self.slowRule], grace: scenario.grace)
        let secret = "grace-secret"
        let serve = try ServeProcess(folder: folder.url, arguments: [], environment: ["SCALEV_WEBHOOK_SECRET": secret, "LUNAS_LOG_LEVEL": "debug"])
        let port = try #require(await serve.port())
        let body = Array(#"{"event":"slow.event","unique_id":"slow-1","timestamp":"2026-12-02T00:00:00Z","data":{"loops":\#(scenario.loops)}}"#.utf8)
        let http = HTTPClient.shared
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/scalev")
        request.method = .POST
        request.headers.add(name: "X-Scalev-Hmac-Sha256", value: WebhookSignature.signature(body: body, secret: secret))
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        _ = await serve.line { ServeProcess.fields($0)?["message"] == "run started" }
        #expect(await serve.stop(SIGTERM) == 0, "\(serve.log.joined(separator: "\n"))")
        let runs = try LunasCommand.run(["runs", "list", "--json"], in: folder.url).lines.compactMap(ServeProcess.anyFields)
        let ready = try LunasCommand.run(["jobs", "list", "--state", "ready"], in: folder.url).lines
        if scenario.finishes {
            #expect(runs.contains { $0["trigger"] as? String == "webhook:slow-1" && $0["outcome"] as? String == "ok" })
            #expect(ready.isEmpty)
        } else {
            #expect(runs.isEmpty)
            let all = try LunasCommand.run(["jobs", "list"], in: folder.url)
            #expect(ready.count == 1, "the cut run's job goes back to the queue: \(all.stdout) \(all.stderr) \(serve.log.suffix(8).joined(separator: "\n"))")
        }
    }
}
