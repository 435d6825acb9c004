import Foundation
import LunasClock
import LunasStore
import LunasTesting
import Testing

/// Webhook events, script versions and run history.
@Suite(.timeLimit(.minutes(2))) struct RunHistoryTests {
    @Test(arguments: Backend.available)
    func recordedEventsAreDeduplicatedAndOnlyNewOnesStoreTheirJobs(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            func event(_ id: String) -> WebhookEventIntake {
                WebhookEventIntake(source: f.namespace, eventID: id, event: "order.created", payload: #"{"unique_id":"\#(id)"}"#,
                                   jobs: [job(f, "on:order.*", trigger: "webhook:\(id)"), job(f, "on:*", trigger: "webhook:\(id)")])
            }
            #expect(try await f.store.recordEvents([event("e1"), event("e2"), event("e1")]) == [true, true, false])
            #expect(try await f.store.recordEvents([event("e2"), event("e3")]) == [false, true])
            let jobs = try await f.store.jobs(JobQuery(queue: f.namespace))
            #expect(jobs.count == 6)
            #expect(jobs.map(\.trigger).sorted() == ["e1", "e1", "e2", "e2", "e3", "e3"].map { "webhook:\($0)" })
            // The same event id from another source is another event.
            var other = event("e1")
            other.source = "\(f.namespace)-other"
            other.jobs = []
            #expect(try await f.store.recordEvents([other]) == [true])
            #expect(try await f.store.jobs(JobQuery(queue: f.namespace)).count == 6)
        }
    }

    @Test(arguments: Backend.available)
    func aScriptVersionIsStoredOnceByItsHash(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let hash = "\(f.namespace)-sha"
            #expect(try await f.store.scriptVersion(hash: hash) == nil)
            let version = ScriptVersion(hash: hash, script: "vip_rules", source: "on('order.*', function() end)")
            try await f.store.saveScriptVersion(version)
            try await f.store.saveScriptVersion(ScriptVersion(hash: hash, script: "vip_rules", source: "changed"))
            #expect(try await f.store.scriptVersion(hash: hash) == version)
        }
    }

    @Test(arguments: Backend.available)
    func runsAreListedNewestFirstByFilterAndPage(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let start = clock.now()
            let outcomes = ["ok", "failed", "ok", "limit", "ok"]
            let ids = try await f.store.recordRuns(outcomes.enumerated().map { i, outcome in
                run(f, outcome: outcome, handler: i % 2 == 0 ? "cron:daily" : "on:order.*", started: start.addingTimeInterval(Double(i)), logs: i)
            })
            #expect(ids.count == 5 && ids == ids.sorted())
            let all = try await f.store.runs(RunQuery(script: f.namespace))
            #expect(all.map(\.id) == ids.reversed())
            #expect(all.first?.jobID == nil && all.first?.credential == "main" && all.first?.attempt == 1)
            #expect(try await f.store.runs(RunQuery(script: f.namespace, outcome: "ok")).map(\.id) == [ids[4], ids[2], ids[0]])
            let failed = try #require(try await f.store.runs(RunQuery(script: f.namespace, outcome: "failed")).first)
            #expect(failed.error == "rules.lua:3: boom" && failed.traceback?.contains("rules.lua:3") == true)
            #expect(try await f.store.runs(RunQuery(script: f.namespace, outcome: "limit")).first?.limitKind == "instructions")
            #expect(try await f.store.runs(RunQuery(handler: "\(f.namespace):cron:daily")).map(\.id) == [ids[4], ids[2], ids[0]])

            let page1 = try await f.store.runs(RunQuery(script: f.namespace, limit: 2))
            let page2 = try await f.store.runs(RunQuery(script: f.namespace, limit: 2, before: page1.last?.id))
            let page3 = try await f.store.runs(RunQuery(script: f.namespace, limit: 2, before: page2.last?.id))
            #expect((page1 + page2 + page3).map(\.id) == ids.reversed())
            #expect(try await f.store.runLogs(runID: ids[4]).map(\.seq) == [0, 1, 2, 3])
            #expect(try await f.store.runLogs(runID: ids[4]).first?.level == "info")
            #expect(try await f.store.runLogs(runID: ids[4]).last?.level == nil)
            #expect(try await f.store.run(id: -1) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func pruningRemovesRunsThatEndedBeforeWithTheirLogs(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            // Dates long past, which no other test's runs have (a PostgreSQL database is shared by the tests of a run).
            let old = Date(timeIntervalSince1970: 978_307_200)       // 2001-01-01
            let kept = Date(timeIntervalSince1970: 1_009_843_200)    // 2002-01-01
            let ids = try await f.store.recordRuns([
                run(f, started: old, logs: 3), run(f, started: old.addingTimeInterval(60), logs: 2),
                run(f, started: kept, logs: 2),
                run(f, started: old.addingTimeInterval(3600), seconds: 40_000_000, logs: 1),   // started early, ended after
            ])
            let pruned = try await f.store.pruneRuns(endedBefore: Date(timeIntervalSince1970: 993_945_600))   // 2001-07-01
            #expect(pruned == 2)
            #expect(try await f.store.runs(RunQuery(script: f.namespace)).map(\.id).sorted() == [ids[2], ids[3]])
            #expect(try await f.store.runLogs(runID: ids[0]).isEmpty)
            #expect(try await f.store.runLogs(runID: ids[1]).isEmpty)
            #expect(try await f.store.runLogs(runID: ids[2]).count == 2)
            #expect(try await f.store.pruneRuns(endedBefore: Date(timeIntervalSince1970: 993_945_600)) == 0)
        }
    }
}
