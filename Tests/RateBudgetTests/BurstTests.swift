import Foundation
import LunasClock
import RateBudget
import Synchronization
import Testing

/// Bursts at the edges of the windows, in virtual time over an in-memory ledger: a request goes
/// at the earliest instant every window allows it, no later.
@Suite(.timeLimit(.minutes(2))) struct BurstTests {
    let scalev = BudgetSpec.scalevBusiness

    /// `count` sequential calls of `script` (each answered at once), time moved until they end;
    /// the instants they went at.
    private func sequential(_ budgets: RateBudgets, clock: TestClock, spec: BudgetSpec, script: String = "s",
                            count: Int) async throws -> [ContinuousClock.Instant] {
        let done = Done()
        let calls = started(budgets, clock: clock, spec: spec, script: script, count: count, done: done)
        if !(await clock.advance(until: { done.value }, within: .seconds(7200))) { calls.cancel() }
        return try await calls.value
    }

    /// `count` sequential calls of `script` started now in the clock's time, not waited for;
    /// `done` is set when they end.
    private func started(_ budgets: RateBudgets, clock: TestClock, spec: BudgetSpec, script: String, count: Int,
                         done: Done? = nil) -> Task<[ContinuousClock.Instant], any Error> {
        clock.run {
            defer { done?.set() }
            var sent: [ContinuousClock.Instant] = []
            for _ in 0..<count {
                let grant = try await budgets.acquire(credential: "c", spec: spec, script: script)
                sent.append(clock.instant())
                await budgets.observe(credential: "c", script: script, grant: grant, status: 200)
            }
            return sent
        }
    }

    @Test func anIdleCredentialSendsAWholeWindowAtOnce() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let start = clock.instant()
        let sent = try await sequential(budgets, clock: clock, spec: scalev, count: 250)
        // 100 at once, the next 100 when the first window has passed, the last 50 after two.
        #expect(sent[99] == start)
        #expect(sent[100] - start >= .seconds(10) && sent[100] - start < .milliseconds(10_050))
        #expect(sent[199] - start < .milliseconds(10_050))
        #expect(sent[200] - start >= .seconds(20) && sent[249] - start < .milliseconds(20_100))
        #expect(firstViolation(sent, scalev.windows) == nil)
    }

    @Test func concurrentCallsOnAnIdleCredentialGoTogether() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let recorder = SendRecorder(clock: clock)
        let start = clock.instant()
        let spec = scalev
        try await hammer(budgets, clock: clock, credential: "c", spec: spec, scripts: [("a", 1, 10)], recorder: recorder) { recorder.total >= 100 }
        #expect(recorder.times.prefix(100).allSatisfy { $0 == start })
        #expect(firstViolation(recorder.times, spec.windows) == nil)
    }

    @Test func aWindowHalfUsedByAnotherProcessLeavesTheRest() async throws {
        let clock = TestClock()
        let ledger = TestLedger(clock: clock)
        let other = RateBudgets(ledger: ledger, clock: clock), this = RateBudgets(ledger: ledger, clock: clock)
        let start = clock.instant()
        let theirs = try await sequential(other, clock: clock, spec: scalev, count: 50)
        await clock.advance(by: .seconds(3))
        let ours = try await sequential(this, clock: clock, spec: scalev, count: 60)
        #expect(theirs.allSatisfy { $0 == start })
        // The 50 left, paced while another process is seen (a tenth of the window per second);
        // then the other's 50 leave the window at 10 s.
        #expect(ours[9] - start == .seconds(3))
        #expect(ours[49] - start < .milliseconds(7_100))
        #expect(ours[50] - start >= .seconds(10) && ours[59] - start < .milliseconds(10_100))
        #expect(firstViolation(theirs + ours, scalev.windows) == nil)
    }

    @Test func theHourlyWindowBindsAfterTenThousand() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let start = clock.instant()
        let sent = try await sequential(budgets, clock: clock, spec: scalev, count: 10_001)
        // 100 per 10 s (and the margin): the ten-thousandth at 99 windows; the next waits for the hour.
        #expect(sent[9_999] - start < .seconds(993))
        #expect(sent[10_000] - start >= .seconds(3600) && sent[10_000] - start < .seconds(3601))
        #expect(firstViolation(sent, scalev.windows) == nil)
    }

    @Test func aWindowNarrowedDuringABurstHoldsFromThenOn() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let start = clock.instant()
        let first = try await sequential(budgets, clock: clock, spec: scalev, count: 40)
        let narrow = try BudgetSpec(parsing: "50/10s")
        let then = try await sequential(budgets, clock: clock, spec: narrow, count: 20)
        // 10 more fit the narrower window at once; the other 10 when the first 40 have left it.
        #expect(then[9] == start)
        #expect(then[10] - start >= .seconds(10))
        #expect(firstViolation(first + then, narrow.windows) == nil)
    }

    @Test func whileAnotherScriptUsesTheCredentialSlotsArePacedForTurns() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let start = clock.instant()
        // b made one call: a's calls come a tenth of the window at a time (10 per second) ...
        let b = try await sequential(budgets, clock: clock, spec: scalev, script: "b", count: 1)
        let burst = started(budgets, clock: clock, spec: scalev, script: "a", count: 60)
        await clock.advance(by: .seconds(1))
        // ... so b's next call, a second later, finds its turn in the next tenth of the window
        // (a's calls take no time here: they used the tenth that began at 1 s).
        let again = try await sequential(budgets, clock: clock, spec: scalev, script: "b", count: 1)
        await clock.advance(by: .seconds(15))
        let a = try await burst.value
        #expect(b == [start])
        #expect(a[8] == start && a[9] - start >= .seconds(1))
        #expect(again[0] - start <= .milliseconds(2_050))
        #expect(firstViolation(a + b + again, scalev.windows) == nil)
    }

    @Test func theReserveKeepsSlotsForOtherScripts() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let spec = BudgetSpec(windows: BudgetSpec.scalevBusiness.windows, reserve: 10)
        let start = clock.instant()
        let burst = started(budgets, clock: clock, spec: spec, script: "sync", count: 95)
        await clock.advance(by: .seconds(1))
        // A webhook rule arriving after the burst: the reserve is there for it.
        let rule = try await sequential(budgets, clock: clock, spec: spec, script: "rule", count: 5)
        await clock.advance(by: .seconds(15))
        let sync = try await burst.value
        #expect(sync[89] == start)
        #expect(sync[90] - start >= .seconds(10))
        #expect(rule.allSatisfy { $0 - start == .seconds(1) }, "\(rule.map { $0 - start })")
        #expect(firstViolation(sync + rule, spec.windows) == nil)
    }

    @Test func theWaitAnnouncedIsTheWindowsWait() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        _ = try await sequential(budgets, clock: clock, spec: scalev, count: 100)
        await clock.advance(by: .seconds(2))
        let (announced, announce) = AsyncStream.makeStream(of: Duration.self)
        let spec = scalev
        let waiter = clock.run {
            try await budgets.acquire(credential: "c", spec: spec, script: "s") { announce.yield($0) }
        }
        var iterator = announced.makeAsyncIterator()
        let expected = await iterator.next()
        // The first of the 100 leaves the window 8 s from now.
        #expect(expected.map { $0 > .milliseconds(7_900) && $0 < .milliseconds(8_100) } == true, "\(String(describing: expected))")
        waiter.cancel()
        _ = try? await waiter.value
    }
}

/// A flag set from a task.
private final class Done: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}
