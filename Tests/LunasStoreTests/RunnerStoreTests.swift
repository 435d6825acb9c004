import Foundation
import LunasClock
import LunasStore
import LunasTesting
import Testing

/// The runner's jobs: batch claims, finishes with their runs and follow-ups, retries, releases.
@Suite(.timeLimit(.minutes(2))) struct RunnerStoreTests {
    @Test(arguments: Backend.available)
    func aBatchClaimTakesAtMostItsLimitOldestFirst(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let now = clock.now()
            let requests = (0..<5).map { i in job(f, payload: "{\"i\":\(i)}", runAt: now.addingTimeInterval(Double(i - 10)), maxAttempts: 3) }
            let ids = try await f.store.enqueue(requests + [job(f, runAt: now.addingTimeInterval(60))])
            #expect(ids.allSatisfy { $0 != nil })

            let first = try await f.store.claimJobs(queue: f.namespace, limit: 3, lease: .seconds(30), worker: "w1")
            #expect(first.map(\.id) == ids.prefix(3).compactMap { $0 })
            #expect(first.allSatisfy { $0.attempts == 1 && $0.maxAttempts == 3 && $0.script == f.namespace })
            #expect(first.allSatisfy { $0.handler == "\(f.namespace):on:order.*" && $0.trigger == "webhook:1" })
            #expect(first.allSatisfy { $0.leaseExpiresAt == now.addingTimeInterval(30) })
            let second = try await f.store.claimJobs(queue: f.namespace, limit: 3, lease: .seconds(30), worker: "w2")
            #expect(second.map(\.id) == ids[3..<5].compactMap { $0 })
            #expect(try await f.store.claimJobs(queue: f.namespace, limit: 3, lease: .seconds(30), worker: "w3").isEmpty)
            #expect(try await f.store.claimJobs(queue: f.namespace, limit: 0, lease: .seconds(30), worker: "w3").isEmpty)

            let running = try await f.store.jobs(JobQuery(states: [.running], queue: f.namespace))
            #expect(running.count == 5 && running.map(\.id) == running.map(\.id).sorted(by: >))
            #expect(Set(running.compactMap(\.worker)) == ["w1", "w2"])
            let byHandler = try await f.store.jobs(JobQuery(states: [.ready, .running], handler: "\(f.namespace):on:order.*", limit: 1))
            #expect(byHandler.count == 1)
            #expect(try await f.store.jobs(JobQuery(states: [], queue: f.namespace)).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func heartbeatsKeepOnlyTheLeasesStillHeld(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            _ = try await f.store.enqueue([job(f), job(f)])
            let claimed = try await f.store.claimJobs(queue: f.namespace, limit: 2, lease: .seconds(2), worker: "w1")
            #expect(claimed.count == 2)
            await clock.advance(by: .seconds(1))
            let extended = try await f.store.extendLeases([claimed[0]], by: .seconds(10))
            #expect(extended.map(\.id) == [claimed[0].id])
            #expect(extended.first?.leaseExpiresAt == clock.now().addingTimeInterval(10))
            await clock.advance(by: .seconds(2))
            // The second lapsed: another worker takes it, and the first worker's heartbeat keeps only the first.
            let taken = try await f.store.claimJobs(queue: f.namespace, limit: 5, lease: .seconds(30), worker: "w2")
            #expect(taken.map(\.id) == [claimed[1].id] && taken.first?.attempts == 2)
            #expect(try await f.store.extendLeases(claimed, by: .seconds(10)).map(\.id) == [claimed[0].id])
        }
    }

    @Test(arguments: Backend.available)
    func aFinishWritesItsRunAndFollowUpsAtomicallyAndALostLeaseWritesNothing(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let ids = try await f.store.enqueue([job(f, key: "a"), job(f, key: "b")])
            let stale = try await f.store.claimJobs(queue: f.namespace, limit: 2, lease: .seconds(1), worker: "dead")
            #expect(stale.count == 2)
            await clock.advance(by: .seconds(2))
            let live = try await f.store.claimJobs(queue: f.namespace, limit: 2, lease: .seconds(30), worker: "live")
            #expect(live.map(\.id) == stale.map(\.id))

            let followUp = JobRequest(queue: "\(f.namespace)-timers", payload: "{}", runAt: clock.now().addingTimeInterval(7200),
                                      uniqueKey: "\(f.namespace):timer#0", script: f.namespace, handler: "follow_up",
                                      trigger: "timer:\(live[0].id)")
            let started = clock.now()
            let finishes = [
                JobFinish(job: stale[0], result: .done, run: run(f, started: started, logs: 3), followUps: [followUp]),
                JobFinish(job: live[0], result: .done, run: run(f, started: started, logs: 3, jobID: nil), followUps: [followUp]),
                JobFinish(job: stale[1], result: .dead(error: "late"), run: run(f, outcome: "failed", started: started)),
            ]
            #expect(try await f.store.finishJobs(finishes) == [false, true, false])

            let runs = try await f.store.runs(RunQuery(script: f.namespace))
            #expect(runs.count == 1)
            let recorded = try #require(runs.first)
            #expect(recorded.jobID == live[0].id && recorded.outcome == "ok" && recorded.budgetWait == .milliseconds(250))
            #expect(recorded.startedAt == started && recorded.endedAt == started.addingTimeInterval(1) && recorded.logsDropped == 1)
            #expect(try await f.store.run(id: recorded.id) == recorded)
            #expect(try await f.store.runLogs(runID: recorded.id) == run(f, started: started, logs: 3).logs)

            let done = try #require(try await f.store.job(id: live[0].id))
            #expect(done.state == .done && done.lastRunID == recorded.id && done.finishedAt == clock.now() && done.leaseExpiresAt == nil)
            #expect(done.uniqueKey == "\(f.namespace):a" && ids[0] == done.id)
            #expect(try await f.store.job(id: live[1].id)?.state == .running)
            let timers = try await f.store.jobs(JobQuery(queue: "\(f.namespace)-timers"))
            #expect(timers.count == 1 && timers.first?.trigger == "timer:\(live[0].id)" && timers.first?.state == .ready)

            // A follow-up whose key exists is not enqueued again; the finish still counts.
            #expect(try await f.store.finishJobs([JobFinish(job: live[1], result: .done, followUps: [followUp])]) == [true])
            #expect(try await f.store.jobs(JobQuery(queue: "\(f.namespace)-timers")).count == 1)
            #expect(try await f.store.finishJobs([JobFinish(job: live[1], result: .done)]) == [false])
        }
    }

    @Test(arguments: Backend.available)
    func aRetryIsReadyLaterWithItsAttemptsKeptThenDeadAtMaxAttempts(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let id = try #require(try await f.store.enqueue([job(f, maxAttempts: 2)]).first ?? nil)
            let first = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").first)
            #expect(first.attempts == 1 && !first.isLastAttempt)
            let later = clock.now().addingTimeInterval(10)
            #expect(try await f.store.finishJobs([JobFinish(job: first, result: .retry(at: later, error: "e1"))]) == [true])
            let waiting = try #require(try await f.store.job(id: id))
            #expect(waiting.state == .ready && waiting.runAt == later && waiting.attempts == 1 && waiting.lastError == "e1")
            #expect(waiting.finishedAt == nil && waiting.leaseExpiresAt == nil)
            #expect(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").isEmpty)

            await clock.advance(by: .seconds(10))
            let second = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").first)
            #expect(second.attempts == 2 && second.isLastAttempt)
            #expect(try await f.store.finishJobs([JobFinish(job: second, result: .retry(at: later.addingTimeInterval(10), error: "e2"))]) == [true])
            let dead = try #require(try await f.store.job(id: id))
            #expect(dead.state == .dead && dead.attempts == 2 && dead.lastError == "e2" && dead.finishedAt == clock.now())
            #expect(dead.runAt == later)
            #expect(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").isEmpty)

            // `completeJob` with an error, and `.dead`, give up at once.
            _ = try await f.store.enqueue([job(f), job(f)])
            let two = try await f.store.claimJobs(queue: f.namespace, limit: 2, lease: .seconds(30), worker: "w")
            #expect(try await f.store.completeJob(two[0], error: "boom"))
            #expect(try await f.store.finishJobs([JobFinish(job: two[1], result: .dead(error: "no handler"))]) == [true])
            let given = try await f.store.jobs(JobQuery(states: [.dead], queue: f.namespace))
            #expect(given.count == 3 && given.allSatisfy { $0.attempts <= $0.maxAttempts })
            #expect(Set(given.compactMap(\.lastError)) == ["e2", "boom", "no handler"])
        }
    }

    @Test(arguments: Backend.available)
    func aReleaseDoesNotCountAnAttempt(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let id = try #require(try await f.store.enqueue([job(f, maxAttempts: 1)]).first ?? nil)
            let first = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").first)
            #expect(try await f.store.releaseJobs([first], runAt: clock.now().addingTimeInterval(5)) == [true])
            let released = try #require(try await f.store.job(id: id))
            #expect(released.state == .ready && released.attempts == 0 && released.leaseExpiresAt == nil)
            #expect(released.runAt == clock.now().addingTimeInterval(5))
            #expect(try await f.store.releaseJobs([first], runAt: nil) == [false])
            #expect(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").isEmpty)

            await clock.advance(by: .seconds(5))
            let again = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").first)
            #expect(again.attempts == 1 && again.leaseToken > first.leaseToken)
            #expect(try await f.store.releaseJobs([again], runAt: nil) == [true])
            let third = try #require(try await f.store.claimJobs(queue: f.namespace, limit: 1, lease: .seconds(30), worker: "w").first)
            #expect(third.attempts == 1)
            #expect(try await f.store.finishJobs([JobFinish(job: third, result: .done)]) == [true])
        }
    }
}
