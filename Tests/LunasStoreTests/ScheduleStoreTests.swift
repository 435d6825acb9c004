import Foundation
import LunasClock
import LunasStore
import LunasTesting
import Testing

/// Schedules: upserts that keep their state, pauses, and a slot advanced by one runner only.
@Suite(.timeLimit(.minutes(2))) struct ScheduleStoreTests {
    /// The schedules of `f` (a PostgreSQL database is shared by the tests of a run).
    private func schedules(_ f: StoreFixture) async throws -> [ScheduleRow] {
        try await f.store.schedules().filter { $0.name.hasPrefix(f.namespace) }
    }

    @Test(arguments: Backend.available)
    func savingAScheduleKeepsItsSlotPauseAndCounters(_ backend: Backend) async throws {
        let clock = runnerClock()
        try await withStore(backend, options: runnerOptions(clock)) { f in
            let daily = ScheduleDefinition(name: "\(f.namespace):cron:0 9 * * *", script: f.namespace, kind: "cron",
                                           spec: "0 9 * * *", zone: "Asia/Jakarta")
            let often = ScheduleDefinition(name: "\(f.namespace):every:15m", script: f.namespace, kind: "every", spec: "15m", zone: "UTC")
            try await f.store.saveSchedules([daily, often])
            let saved = try await schedules(f)
            #expect(saved.map(\.definition) == [daily, often])
            #expect(saved.allSatisfy { $0.lastSlot == nil && !$0.paused && $0.missed == 0 && $0.updatedAt == clock.now() })

            let slot = clock.now().addingTimeInterval(-60)
            #expect(try await f.store.advanceSchedule(daily.name, from: nil, to: slot, missed: 2, jobs: []))
            #expect(try await f.store.setSchedulePaused(daily.name, paused: true))
            try await f.store.noteScheduleRun(daily.name, outcome: "failed", runID: 42)
            try await f.store.noteScheduleOverlapSkipped(daily.name)
            try await f.store.noteScheduleOverlapSkipped(daily.name)

            var changed = daily
            changed.spec = "30 9 * * *"
            changed.zone = "UTC"
            await clock.advance(by: .seconds(5))
            try await f.store.saveSchedules([changed])
            let row = try #require(try await schedules(f).first { $0.name == daily.name })
            #expect(row.definition == changed && row.lastSlot == slot && row.paused && row.missed == 2)
            #expect(row.overlapSkipped == 2 && row.lastOutcome == "failed" && row.lastRunID == 42 && row.updatedAt == clock.now())
            #expect(try await schedules(f).count == 2)
        }
    }

    @Test(arguments: Backend.available)
    func aScheduleIsPausedAndResumed(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let name = "\(f.namespace):every:1h"
            #expect(try await f.store.setSchedulePaused(name, paused: true) == false)
            try await f.store.saveSchedules([ScheduleDefinition(name: name, script: f.namespace, kind: "every", spec: "1h", zone: "UTC")])
            #expect(try await f.store.setSchedulePaused(name, paused: true))
            #expect(try await schedules(f).first?.paused == true)
            #expect(try await f.store.setSchedulePaused(name, paused: false))
            #expect(try await schedules(f).first?.paused == false)
        }
    }

    @Test(arguments: Backend.available)
    func twoRunnersRacingForASlotLetExactlyOneWin(_ backend: Backend) async throws {
        let clock = runnerClock()
        let options = runnerOptions(clock)
        try await withStore(backend, options: options) { f in
            let name = "\(f.namespace):cron:* * * * *"
            try await f.store.saveSchedules([ScheduleDefinition(name: name, script: f.namespace, kind: "cron", spec: "* * * * *", zone: "UTC")])
            let runners = [try await f.reopen(options: options), try await f.reopen(options: options)]
            let start = clock.now()
            var previous: Date?
            for round in 0..<10 {
                let slot = start.addingTimeInterval(Double(60 * round))
                // No unique key: a loser that enqueued its job would show as a second job.
                let jobs = [job(f, "cron:* * * * *", trigger: "cron:\(name)@\(round)")]
                let from = previous
                let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for runner in runners {
                        group.addTask { try await runner.advanceSchedule(name, from: from, to: slot, missed: 1, jobs: jobs) }
                    }
                    return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
                }
                #expect(wins == 1, "round \(round)")
                previous = slot
            }
            let row = try #require(try await schedules(f).first)
            #expect(row.lastSlot == previous && row.missed == 10)
            let jobs = try await f.store.jobs(JobQuery(queue: f.namespace))
            #expect(jobs.count == 10 && Set(jobs.map(\.trigger)).count == 10)
            // A stale `from` (a slot already passed) changes nothing.
            #expect(try await f.store.advanceSchedule(name, from: start, to: start.addingTimeInterval(6000), missed: 0,
                                                       jobs: [job(f)]) == false)
            #expect(try await f.store.advanceSchedule("\(f.namespace):none", from: nil, to: start, missed: 0, jobs: []) == false)
            #expect(try await f.store.jobs(JobQuery(queue: f.namespace)).count == 10)
        }
    }
}
