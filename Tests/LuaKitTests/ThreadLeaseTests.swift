import Foundation
import LuaKit
import Synchronization
import LunasTesting
import Testing

/// Issue 13: an executor's threads run while a lease is held and are gone once the last one is
/// released; a later lease, or a later run, starts them again. The same for a watchdog's thread.
/// Serialized: the kernel's listing of a process's threads can skip one while others end, and
/// these tests start and end many.
/// `stopped()` before each look at the threads: one that was finishing a job (its last resume)
/// as the last lease went ends just after the release.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ThreadLeaseTests {
    @Test func theThreadsRunWhileALeaseIsHeldAndEndWithTheLast() async throws {
        let executor = LuaExecutor(threads: 2, name: "lease-run")
        #expect(ProcessThreads.named("lease-run").isEmpty, "threads before any lease or run")
        let first = executor.lease()
        let second = executor.lease()
        #expect(ProcessThreads.named("lease-run") == ["lease-run-0", "lease-run-1"])

        first.release()
        #expect(try await runsOnItsThreads(executor, prefix: "lease-run"))
        #expect(ProcessThreads.named("lease-run").count == 2)

        second.release()
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-run"), "\(ProcessThreads.named("lease-run")) left after the last release")

        let third = executor.lease()
        #expect(ProcessThreads.named("lease-run").count == 2)
        #expect(try await runsOnItsThreads(executor, prefix: "lease-run"))
        third.release()
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-run"))
    }

    @Test func theLastReleaseReturnsOnceItsThreadsHaveEnded() async throws {
        // a running thread holds its executor: freed at once, the executor has none left
        weak var released: LuaExecutor?
        do {
            let executor = LuaExecutor(threads: 2, name: "lease-join")
            released = executor
            let lease = executor.lease()
            #expect(try await runsOnItsThreads(executor, prefix: "lease-join"))
            lease.release()
            await executor.stopped()
        }
        #expect(released == nil)
    }

    @Test func anUnleasedExecutorStartsAtItsFirstRunAndKeepsItsThreads() async throws {
        let executor = LuaExecutor(threads: 1, name: "lease-free")
        #expect(ProcessThreads.named("lease-free").isEmpty)
        // a state is opened and called without threads: only a run needs them
        let state = try LuaState(executor: executor)
        #expect(try state.call("return 1 + 1") == [2])
        #expect(ProcessThreads.named("lease-free").isEmpty)
        #expect(try await runsOnItsThreads(executor, prefix: "lease-free"))
        #expect(ProcessThreads.named("lease-free") == ["lease-free-0"])
        #expect(try await runsOnItsThreads(executor, prefix: "lease-free"))
        #expect(ProcessThreads.named("lease-free") == ["lease-free-0"])

        // a runtime leases it and shuts down: its threads end; an unleased run starts them again
        executor.lease().release()
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-free"))
        #expect(try await runsOnItsThreads(executor, prefix: "lease-free"))
        #expect(ProcessThreads.named("lease-free") == ["lease-free-0"])
        executor.lease().release()
    }

    @Test func aRunParkedAcrossTheLastReleaseResumesOnNewThreads() async throws {
        let executor = LuaExecutor(threads: 1, name: "lease-park")
        let lease = executor.lease()
        let (parked, park) = AsyncStream.makeStream(of: Void.self)
        let (answer, answering) = AsyncStream.makeStream(of: Int64.self)
        let state = try LuaState(executor: executor)
        state.registerAsync("wait") { _ in
            park.yield()
            for await value in answer { return [.integer(value)] }
            return []
        }
        state.register("thread") { _ in [.string(LuaString(ProcessThreads.current))] }
        let run = Task { try await state.run("local v = wait() return v, thread()") }
        for await _ in parked { break }
        lease.release()
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-park"))
        answering.yield(42)
        #expect(try await run.value == [42, "lease-park-0"])
        executor.lease().release()
    }

    @Test func theLastReleaseDoesNotWaitForAnotherOwnersRunningScript() async throws {
        let executor = LuaExecutor(threads: 1, name: "lease-busy")
        let lease = executor.lease()
        let (started, start) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let finish = Flag()
        let state = try LuaState(executor: executor)
        state.register("finished") { _ in
            start.yield()
            return [.boolean(finish.isSet)]
        }
        state.register("thread") { _ in [.string(LuaString(ProcessThreads.current))] }
        let run = Task { try await state.run("while not finished() do end return thread()") }
        for await _ in started { break }
        lease.release()
        // the release returned while the script still runs: it can end only once told to
        finish.set()
        #expect(try await run.value == ["lease-busy-0"])
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-busy"))
    }

    @Test func aLeaseTakenWhileTheLastIsReleasedGetsRunningThreads() async throws {
        let executor = LuaExecutor(threads: 2, name: "lease-race")
        var lease = executor.lease()
        for round in 0..<200 {
            let old = lease
            async let released: Void = Task.detached { old.release() }.value
            async let taken = Task.detached { executor.lease() }.value
            let (_, new) = await (released, taken)
            lease = new
            #expect(try await runsOnItsThreads(executor, prefix: "lease-race"), "round \(round)")
        }
        lease.release()
        await executor.stopped()
        #expect(ProcessThreads.gone(named: "lease-race"))
    }

    @Test func aWatchdogThreadRunsWhileLeasedAndItsDeadlinesStillFire() async throws {
        let watchdog = Watchdog(name: "lease-watch")
        #expect(ProcessThreads.named("lease-watch").isEmpty)
        let lease = watchdog.lease()
        #expect(ProcessThreads.named("lease-watch") == ["lease-watch"])
        let state = try LuaState(limits: LuaLimits(deadline: .milliseconds(50)), watchdog: watchdog)
        let error = try await stopError(state, "while true do end")
        #expect(error?.kind == .limit(.deadline(.milliseconds(50))))
        lease.release()
        await watchdog.stopped()
        #expect(ProcessThreads.gone(named: "lease-watch"))

        // unleased: the next deadline starts the thread again, and it keeps it
        let again = try LuaState(limits: LuaLimits(deadline: .milliseconds(50)), watchdog: watchdog)
        #expect(try await stopError(again, "while true do end")?.kind == .limit(.deadline(.milliseconds(50))))
        #expect(ProcessThreads.named("lease-watch") == ["lease-watch"])
        watchdog.lease().release()
    }

    @Test func aDeadlinePendingAtTheLastReleaseStillFires() async throws {
        let watchdog = Watchdog(name: "lease-late")
        let lease = watchdog.lease()
        let state = try LuaState(limits: LuaLimits(deadline: .milliseconds(300)), watchdog: watchdog)
        let (started, start) = AsyncStream.makeStream(of: Void.self)
        state.register("started") { _ in start.yield(); return [] }
        let run = Task { try await stopError(state, "started() while true do end") }
        for await _ in started { break }
        lease.release()
        #expect(try await run.value?.kind == .limit(.deadline(.milliseconds(300))))
        await watchdog.stopped()
        #expect(ProcessThreads.gone(named: "lease-late"))
    }
}

/// Runs a script on a fresh state of `executor` whose host function reports the thread it ran
/// on; true when that is one of the executor's threads.
private func runsOnItsThreads(_ executor: LuaExecutor, prefix: String) async throws -> Bool {
    let state = try LuaState(executor: executor)
    state.register("thread") { _ in [.string(LuaString(ProcessThreads.current))] }
    state.registerAsync("pause") { _ in
        await Task.yield()
        return []
    }
    let values = try await state.run("local before = thread() pause() return before, thread()")
    return values.count == 2 && values.allSatisfy { $0.stringValue?.hasPrefix(prefix + "-") == true }
}

/// The error a run on `state` ends with, `nil` when it ends without one.
private func stopError(_ state: LuaState, _ source: String) async throws -> LuaError? {
    do {
        _ = try await state.run(source)
        return nil
    } catch let error as LuaError {
        return error
    }
}

/// A flag one thread sets and another reads.
private final class Flag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

