import Foundation
import LunasClock
import LunasStore
import RateBudget
import Synchronization
import Testing

/// The algorithm at its edges, over an in-memory ledger and short windows, in virtual time (a
/// test clock: waits take no time, and every instant is exact).
@Suite(.timeLimit(.minutes(2))) struct RateBudgetsTests {
    let spec = try! BudgetSpec(parsing: "10/200ms,30/1s")

    @Test func concurrentCallsNeverExceedAWindowAndWriteTheLedgerInBlocks() async throws {
        let clock = TestClock()
        let ledger = TestLedger(clock: clock)
        let budgets = RateBudgets(ledger: ledger, clock: clock)
        let recorder = SendRecorder(clock: clock)
        let spec = self.spec
        try await hammer(budgets, clock: clock, credential: "c", spec: spec, scripts: [("a", 1, 6), ("b", 1, 6)], recorder: recorder) {
            recorder.total >= 90
        }
        #expect(firstViolation(recorder.times, spec.windows) == nil)
        #expect(ledger.calls.load(ordering: .relaxed) < recorder.total / 2, "blocks, not a write per request")
    }

    @Test func aWaitPastTheDeadlineFailsAtOnceAndSaysHowLong() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let spec = try BudgetSpec(parsing: "2/30s")
        for _ in 0..<2 { _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil) }
        // The next slot is ~30 s away; a deadline in 5 s fails now, not in 5 s (the suite's limit would catch a wait).
        await #expect {
            _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: clock.instant() + .seconds(5), onLongWait: nil)
        } throws: { error in
            guard case .deadlineExceeded(let credential, let wait) = error as? BudgetError else { return false }
            return credential == "c" && wait > .seconds(25) && "\(error)".contains("credential c")
        }
    }

    @Test func aLongWaitIsAnnouncedAndCancellationEndsIt() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let spec = try BudgetSpec(parsing: "1/30s")
        _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        let (announced, announce) = AsyncStream.makeStream(of: Duration.self)
        let waiter = clock.run {
            try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil) { announce.yield($0) }
        }
        await clock.advance(by: .seconds(1))   // the announcement is due after a second of waiting
        var iterator = announced.makeAsyncIterator()
        let expected = await iterator.next()
        #expect(expected.map { $0 > .seconds(25) } == true)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(await budgets.snapshot(credential: "c", script: "s").waiting == 0)
    }

    @Test func a429PausesTheCredentialUntilItsResetAndAResetInThePastStillPauses() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let spec = try BudgetSpec(parsing: "100/1s")
        _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        await budgets.observe(credential: "c", script: "s", grant: nil, status: 429, remaining: 0, limit: 100, reset: clock.now().addingTimeInterval(20))
        let paused = await budgets.snapshot(credential: "c", script: "s")
        #expect(paused.pausedUntil.map { $0.timeIntervalSince(clock.now()) > 15 && $0.timeIntervalSince(clock.now()) <= 20.1 } == true)
        #expect(paused.windows.allSatisfy { $0.remaining == 0 })
        await #expect(throws: BudgetError.self) {
            try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: clock.instant() + .seconds(2), onLongWait: nil)
        }
        // A 429 naming a reset in the past pauses for the shortest window (the server said "full").
        _ = try await budgets.acquire(credential: "d", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        await budgets.observe(credential: "d", script: "s", grant: nil, status: 429, remaining: 0, limit: 100, reset: clock.now().addingTimeInterval(-50))
        let pausedUntil = try #require(await budgets.snapshot(credential: "d", script: "s").pausedUntil)
        #expect(pausedUntil.timeIntervalSince(clock.now()) > 0.5 && pausedUntil.timeIntervalSince(clock.now()) < 1.5)
        let next = clock.run {
            _ = try await budgets.acquire(credential: "d", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
            return clock.now()
        }
        await clock.advance(by: .seconds(2))
        #expect(try await next.value >= pausedUntil.addingTimeInterval(-0.01))
    }

    @Test func headersOnlyTighten() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let spec = try BudgetSpec(parsing: "5/10s")
        _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        // A looser server changes nothing.
        await budgets.observe(credential: "c", script: "s", grant: nil, status: 200, remaining: 999, limit: 1000, reset: clock.now().addingTimeInterval(10))
        #expect(await budgets.snapshot(credential: "c", script: "s").windows[0].remaining == 4)
        // A lower limit is believed.
        await budgets.observe(credential: "c", script: "s", grant: nil, status: 200, remaining: 2, limit: 3, reset: clock.now().addingTimeInterval(10))
        #expect(await budgets.snapshot(credential: "c", script: "s").windows[0].remaining == 2)
        // "Nothing left" while the ledger knows of only one request: someone else uses the key.
        // Weighed with the next grant (which shows the other processes' slots), it is left room
        // and sends hold back for one slot's time (10 s / 5): the next call cannot go within 0.5 s.
        let other = try BudgetSpec(parsing: "5/10s")
        let grant = try await budgets.acquire(credential: "d", spec: other, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        await budgets.observe(credential: "d", script: "s", grant: grant, status: 200, remaining: 0, limit: 5, reset: clock.now().addingTimeInterval(8))
        await #expect(throws: BudgetError.self) {
            try await budgets.acquire(credential: "d", spec: other, script: "s", weight: 1, deadline: clock.instant() + .milliseconds(500), onLongWait: nil)
        }
        let snapshot = await budgets.snapshot(credential: "d", script: "s")
        #expect(snapshot.pausedUntil.map { $0.timeIntervalSince(clock.now()) > 1.5 && $0.timeIntervalSince(clock.now()) <= 2.1 } == true)
        #expect(snapshot.windows[0].remaining == 0)
        // A reset in the past with room left pauses nothing.
        _ = try await budgets.acquire(credential: "e", spec: other, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        await budgets.observe(credential: "e", script: "s", grant: nil, status: 200, remaining: 4, limit: 5, reset: clock.now().addingTimeInterval(-30))
        #expect(await budgets.snapshot(credential: "e", script: "s").pausedUntil == nil)
    }

    @Test(arguments: [-5.0, 3.0])
    func theLedgersClockJumpingKeepsTheWindows(_ jump: TimeInterval) async throws {
        let clock = TestClock()
        let ledger = TestLedger(clock: clock)
        let budgets = RateBudgets(ledger: ledger, clock: clock)
        let recorder = SendRecorder(clock: clock)
        let spec = self.spec
        try await hammer(budgets, clock: clock, credential: "c", spec: spec, scripts: [("a", 1, 8)], recorder: recorder) { recorder.total >= 25 }
        ledger.jump(by: jump)
        try await hammer(budgets, clock: clock, credential: "c", spec: spec, scripts: [("a", 1, 8)], recorder: recorder) { recorder.total >= 60 }
        // Backwards: the ledger sees its old slots in the future and places new ones after them.
        // Forwards: old slots look older than they are; the process's own log holds sends back.
        #expect(firstViolation(recorder.times, spec.windows) == nil)
    }

    @Test func aSendAnsweredLateHoldsTheNextWindowBackAndMovesItsSlot() async throws {
        let clock = TestClock()
        let ledger = TestLedger(clock: clock)
        let budgets = RateBudgets(ledger: ledger, clock: clock)
        let spec = try BudgetSpec(parsing: "1/300ms")
        let startedAt = clock.now()
        let first = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
        // The first is still in flight (a slow server): the second waits for its answer, then a window.
        let second = clock.run {
            _ = try await budgets.acquire(credential: "c", spec: spec, script: "s", weight: 1, deadline: nil, onLongWait: nil)
            return clock.instant()
        }
        await clock.advance(by: .milliseconds(500))  // the answer's latency
        let answered = clock.instant(), answeredDate = clock.now()
        await budgets.observe(credential: "c", script: "s", grant: first, status: 200)
        await clock.advance(by: .seconds(1))
        let secondAt = try await second.value
        #expect(secondAt - answered >= .milliseconds(300) && secondAt - answered < .milliseconds(600))
        // Its slot moved in the ledger to when it was answered, for other processes to place after.
        let slots = ledger.memory.slotTimes(credential: "c")
        #expect(slots.contains { abs($0.timeIntervalSince(answeredDate)) < 0.05 })
        #expect(!slots.contains { $0.timeIntervalSince(startedAt) < 0.1 })
    }

    @Test func tenThousandWaitersAreServedInBlocks() async throws {
        let clock = TestClock()
        let ledger = TestLedger(clock: clock)
        let budgets = RateBudgets(ledger: ledger, clock: clock)
        let spec = try BudgetSpec(parsing: "5000/500ms")
        let recorder = SendRecorder(clock: clock)
        let waiters = (0..<10_000).map { i in
            clock.run {
                let grant = try await budgets.acquire(credential: "c", spec: spec, script: "s\(i % 7)", weight: 1, deadline: nil, onLongWait: nil)
                recorder.record("s\(i % 7)")
                await budgets.observe(credential: "c", script: "s\(i % 7)", grant: grant, status: 200)
            }
        }
        #expect(await clock.advance(until: { recorder.total == 10_000 }, within: .seconds(60)))
        for waiter in waiters { try await waiter.value }
        #expect(recorder.total == 10_000)
        #expect(firstViolation(recorder.times, spec.windows) == nil)
        #expect(ledger.calls.load(ordering: .relaxed) <= 10_000 / 16)
    }

    @Test func aSpecChangedAtRuntimeHoldsFromThenOn() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let recorder = SendRecorder(clock: clock)
        let loose = try BudgetSpec(parsing: "20/500ms"), tight = try BudgetSpec(parsing: "4/500ms")
        try await hammer(budgets, clock: clock, credential: "c", spec: loose, scripts: [("a", 1, 6)], recorder: recorder) { recorder.total >= 30 }
        let changed = clock.instant()
        let before = recorder.times
        let after = SendRecorder(clock: clock)
        try await hammer(budgets, clock: clock, credential: "c", spec: tight, scripts: [("a", 1, 6)], recorder: after) { after.total >= 12 }
        #expect(firstViolation(after.times, tight.windows) == nil)
        // Counting what was sent before the change too: every interval ending at a later send.
        let all = (before + after.times).sorted()
        for (i, t) in all.enumerated() where t > changed + .milliseconds(600) {
            #expect(all[..<(i + 1)].filter { $0 > t - .milliseconds(500) }.count <= 4)
        }
    }

    @Test func weightsShareTheSlotsAndARunawayGetsNoMore() async throws {
        let clock = TestClock()
        let budgets = RateBudgets(ledger: TestLedger(clock: clock), clock: clock)
        let recorder = SendRecorder(clock: clock)
        let spec = try BudgetSpec(parsing: "20/200ms")
        // The runaway has 30 calls waiting at all times; the others three each.
        try await hammer(budgets, clock: clock, credential: "c", spec: spec, scripts: [("runaway", 1, 30), ("one", 1, 3), ("two", 2, 3)],
                         recorder: recorder) { recorder.total >= 400 }
        // Leaving out the start and the calls still waiting at the end.
        let counts = recorder.counts(50..<350)
        let one = Double(counts["one"] ?? 0), two = Double(counts["two"] ?? 0)
        #expect(abs(one / 300 - 0.25) < 0.05, "\(counts)")
        #expect(abs(two / 300 - 0.5) < 0.05, "\(counts)")
    }
}
