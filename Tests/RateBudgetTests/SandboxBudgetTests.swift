import Foundation
import LunasTesting
import RateBudget
import Testing

/// Budgets in front of a sandbox counting real-time windows of 40/4s and 200/20s, for three long
/// windows (60 s) each, with issue 6's bars. They run one at a time and alone (.ci/test.sh runs
/// them after the rest): on two cores, other work's scheduling would be measured too. (The 20 ms
/// margin every window is placed with is 0.2 % of Scalev's 10 s; of a 2 s window it was 1 %,
/// which put the 99 % bar at the ceiling, 594 of 600: 98.8-99.3 % was measured.)
@Suite(.serialized, .timeLimit(.minutes(3)), .testScope) struct SandboxBudgetTests {
    /// Runs `body` per task until 60 s after the first gated send (plus a little).
    private func run(_ harness: SandboxBudget, tasks: [(script: String, weight: Int)],
                     outside: Bool = false) async throws {
        let end = ContinuousClock.now + Utilisation.length + .seconds(2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in tasks {
                group.addTask { while ContinuousClock.now < end { try await harness.gatedGet(script: task.script, weight: task.weight) } }
            }
            if outside {
                group.addTask {
                    // 5 requests per 2 s (10 per short window), not gated.
                    var next = ContinuousClock.now
                    while next < end {
                        try await harness.outsideGet(script: "outside")
                        next += .milliseconds(400)
                        try await Task.sleep(until: next, clock: .continuous)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func fiftyScriptsUseTheWholeBudgetWithout429s() async throws {
        let harness = try await SandboxBudget.start()
        try await run(harness, tasks: (0..<50).map { ("script\($0)", 1) })
        try await harness.stop()
        let result = Utilisation(harness.attempts)
        print("50 scripts, one process: \(result)")
        #expect(result.ours429 == 0, "\(result)")
        #expect(result.used >= 0.99, "\(result)")
    }

    @Test func weightsShareTheBudget() async throws {
        let harness = try await SandboxBudget.start()
        let tasks = (0..<10).map { ("script\($0)", $0 < 2 ? 2 : 1) }
        try await run(harness, tasks: tasks)
        try await harness.stop()
        let result = Utilisation(harness.attempts)
        let total = Double(result.ours)
        var spread: [String] = []
        for (script, weight) in tasks {
            let share = Double(result.byScript[script] ?? 0) / total, expected = Double(weight) / 12
            spread.append("\(script)(w\(weight)) \(String(format: "%+.1f", (share / expected - 1) * 100))%")
            #expect(abs(share / expected - 1) <= 0.10, "\(script): \(share) of the requests, weight's share \(expected)")
        }
        print("10 weighted scripts: \(result); share vs weight: \(spread.joined(separator: ", "))")
        #expect(result.ours429 == 0, "\(result)")
    }

    @Test func anOutsideClientOfTheKeyLeavesFew429s() async throws {
        let harness = try await SandboxBudget.start()
        try await run(harness, tasks: (0..<20).map { ("script\($0)", 1) }, outside: true)
        try await harness.stop()
        let result = Utilisation(harness.attempts)
        print("20 scripts and an outside client: \(result)")
        // At most one 429 per long window (three in 60 s), >= 90 % of what the client left.
        #expect(result.ours429 <= 3, "\(result)")
        #expect(result.used >= 0.90, "\(result)")
    }

    /// Bursts of 30 concurrent calls on the strict sliding window while every request takes
    /// 0-200 ms to reach it, in one process. (Three budgets sharing only the ledger met 0-2 429s in
    /// 140 requests: a late send of one process is recorded only after another may have placed a
    /// slot against it. Not yet held, so not asserted.)
    @Test(arguments: [1]) func burstsUnderLatencyKeepTheWindows(processes: Int) async throws {
        let harness = try await SandboxBudget.start()
        try await harness.addLatency(0...200)
        let budgets = [harness.budgets] + (1..<processes).map { _ in RateBudgets(ledger: harness.store) }
        let end = ContinuousClock.now + .seconds(12)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<30 {
                group.addTask {
                    while ContinuousClock.now < end {
                        try await harness.gatedGet(script: "script\(task % 5)", weight: 1, through: budgets[task % processes])
                    }
                }
            }
            try await group.waitForAll()
        }
        try await harness.stop()
        let attempts = harness.attempts.filter(\.gated)
        let refused = attempts.count { $0.status == 429 }
        print("bursts under 0-200 ms of latency, \(processes) process(es): \(attempts.count) sent, 429s \(refused)")
        #expect(refused == 0)
        #expect(attempts.count >= 100, "the windows allow 120 in 12 s; \(attempts.count) were sent")
    }
}
