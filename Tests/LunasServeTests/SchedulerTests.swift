import Foundation
import LunasClock
import LunasRuntime
import LunasSchedule
import LunasStore
import LunasTesting
import Testing
@testable import LunasServe

/// Schedules on an injected clock over a real store: durable slots, the catch-up policies after
/// three days down, the overlap policy, and the zones the slots are read in.
@Suite(.timeLimit(.minutes(2))) struct SchedulerTests {
    /// 2026-03-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_772_323_200)

    static let rules = """
        cron("0 9 * * *", function(fire) end, { name = "latest_9" .. TAG })
        cron("0 9 * * *", function(fire) end, { name = "all_9" .. TAG, catch_up = "all", catch_up_window = "4d" })
        cron("0 9 * * *", function(fire) end, { name = "skip_9" .. TAG, catch_up = "skip" })
        every("6h", function(fire) end, { name = "six_hourly" .. TAG })
        cron("30 2 * * *", function(fire) end, { name = "ny_230" .. TAG, zone = "America/New_York", catch_up = "all", catch_up_window = "2d" })
        """

    @Test(arguments: StoreBackend.available)
    func threeDaysDownThenThePoliciesDecideAndASecondPassDoublesNothing(_ backend: StoreBackend) async throws {
        try await withScheduler(backend, rules: Self.rules) { scheduler, store, clock, tag in
            func jobs() async throws -> [JobRow] { try await store.jobs(JobQuery(script: "daily\(tag)", limit: 1000)) }
            func fires(_ jobs: [JobRow], _ name: String) -> [JobRow] { jobs.filter { $0.handler == name + tag } }
            try await scheduler.tick()           // first sight: from now, nothing caught up
            #expect(try await jobs().isEmpty)

            await clock.advance(by: .seconds(3 * 86_400 + 3600))   // down until 2026-03-04T01:00Z
            try await scheduler.tick()
            let due = try await jobs()
            // 09:00 in Asia/Jakarta is 02:00Z: three slots passed (Mar 1, 2, 3)
            #expect(fires(due, "latest_9").count == 1)
            #expect(fires(due, "latest_9").first?.trigger == "cron:latest_9\(tag)@2026-03-03T09:00:00+07:00")
            #expect(fires(due, "all_9").map(\.trigger).sorted() == (1...3).map { "cron:all_9\(tag)@2026-03-0\($0)T09:00:00+07:00" })
            #expect(fires(due, "skip_9").isEmpty)
            #expect(fires(due, "six_hourly").count == 1)
            let rows = Dictionary(try await store.schedules().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            #expect(rows["skip_9" + tag]?.missed == 3)
            #expect(rows["latest_9" + tag]?.missed == 2)
            #expect(rows["six_hourly" + tag]?.missed == 11)
            #expect(rows["all_9" + tag]?.missed == 0)

            try await scheduler.tick()           // the same instant again: nothing new
            #expect(try await jobs().count == due.count)

            // six_hourly's job still waits: its next slot is skipped (overlap = skip) and recorded
            await clock.advance(by: .seconds(6 * 3600))
            try await scheduler.tick()
            #expect(try await store.jobs(JobQuery(handler: "six_hourly" + tag, limit: 10)).count == 1)
            let after = try await store.schedules().first { $0.name == "six_hourly" + tag }
            #expect(after?.overlapSkipped == 1)
        }
    }

    @Test func aSpringGapRunsItsSlotOnceAtTheFirstValidInstant() async throws {
        // 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT; "30 2 * * *" runs at 03:00 EDT (07:00Z)
        let clock = TestClock(start: Date(timeIntervalSince1970: 1_772_928_000))   // 2026-03-08T00:00Z
        try await withScheduler(.sqlite, rules: Self.rules, clock: clock) { scheduler, store, clock, tag in
            try await scheduler.tick()
            for _ in 0..<24 {
                await clock.advance(by: .seconds(3600))
                try await scheduler.tick()
            }
            let ny = try await store.jobs(JobQuery(handler: "ny_230" + tag, limit: 10))
            #expect(ny.map(\.trigger) == ["cron:ny_230\(tag)@2026-03-08T03:00:00-04:00"])
        }
    }

    @Test func aPausedScheduleLetsItsSlotsPass() async throws {
        try await withScheduler(.sqlite, rules: Self.rules) { scheduler, store, clock, tag in
            try await scheduler.tick()
            #expect(try await store.setSchedulePaused("latest_9" + tag, paused: true))
            await clock.advance(by: .seconds(86_400))
            try await scheduler.tick()
            #expect(try await store.jobs(JobQuery(handler: "latest_9" + tag, limit: 10)).isEmpty)
            #expect(try await store.setSchedulePaused("latest_9" + tag, paused: false))
            await clock.advance(by: .seconds(86_400))
            try await scheduler.tick()
            #expect(try await store.jobs(JobQuery(handler: "latest_9" + tag, limit: 10)).count == 1)
            #expect(try await store.setSchedulePaused("no_such", paused: true) == false)
        }
    }

    private func withScheduler(_ backend: StoreBackend, rules: String, clock: TestClock = TestClock(start: SchedulerTests.start),
                               _ body: (Scheduler, any RunnerStore, TestClock, String) async throws -> Void) async throws {
        // names of this test's own: a shared PostgreSQL database holds other tests' jobs and schedules
        let tag = "_" + UUID().uuidString.prefix(8).lowercased()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-scheduler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(("local TAG = \"\(tag)\"\n" + rules).utf8).write(to: folder.appendingPathComponent("rules/daily\(tag).lua"))
        var options = StoreBackend.testOptions
        options.clock = clock
        try await StoreFixture.with(backend, options: options) { fixture in
            let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: "stdlib", workingDirectory: folder.path), store: fixture.store)
            let catalog = RulesCatalog(runtime: runtime, folders: RulesFolders(folders: ["rules"], workingDirectory: folder.path),
                                       template: RunTemplate(credentials: .none), store: { fixture.store })
            let report = try await catalog.reload()
            #expect(report.failed.isEmpty, "\(report.failed)")
            let scheduler = Scheduler(store: fixture.store, catalog: catalog, clock: clock, defaultZone: "Asia/Jakarta",
                                      logger: .init(label: "test"), workArrived: {})
            do {
                try await body(scheduler, fixture.store, clock, tag)
            } catch {
                await runtime.shutdown()
                throw error
            }
            await runtime.shutdown()
        }
    }
}
