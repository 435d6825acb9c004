import Foundation
import Synchronization

/// The threads Lua code runs on: dedicated threads outside Swift's cooperative pool, so that a
/// CPU-bound script never starves the tasks doing I/O.
///
/// A state runs on one of these threads at a time; between steps (at async host calls) it may
/// move to another, which Lua allows because a suspended coroutine keeps no C stack.
///
/// The threads start at the first ``lease()`` or the first job, whichever comes first. They stop
/// when the last lease is released — at once, joined, when they are idle, as they are once the
/// owner's runs have ended; otherwise after the work they hold — and start again at the next
/// lease or job. An executor that was never leased keeps its threads, once started, for the
/// life of the process.
public final class LuaExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    /// The threads running now; `nil` until the first job or lease, and after the last lease
    /// was released.
    private var crew: ThreadCrew?
    private var leases = 0
    /// Crews told to stop that may not have ended yet (for ``stopped()``).
    private var retired: [ThreadCrew] = []
    private let threadCount: Int
    private let stackSize: Int
    /// The per-thread key under which each of this executor's threads keeps its ``Worker``.
    private let workerKey: pthread_key_t
    /// The prefix of its threads' names (`lua` gives `lua-0`, `lua-1`, …).
    public let name: String

    /// The executor every state uses unless told otherwise: one thread per core.
    public static let shared = LuaExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// One thread's own state, touched only by that thread.
    private final class Worker {
        /// Set while the job running now is about to end by resuming another task: a job
        /// enqueued meanwhile is kept here and run next on this thread, with no wake-up.
        var handoff = false
        var next: UnownedJob?
    }

    /// An executor of this many threads, named `name-0`, `name-1`, … (cut to the 15 bytes Linux
    /// keeps of a thread's name). No thread starts before the first lease or job.
    public init(threads: Int, stackSize: Int = 16 << 20, name: String = "lua") {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        workerKey = key
        threadCount = max(1, threads)
        self.stackSize = stackSize
        self.name = name
    }

    deinit {
        // a crew keeps its executor alive: none is running here
        pthread_key_delete(workerKey)
    }

    /// Holds the threads running until the lease is released (see ``ThreadLease``); starts them
    /// if they are stopped, or stopping.
    public func lease() -> ThreadLease {
        condition.lock()
        leases += 1
        if crew == nil { crew = startCrew() }
        condition.unlock()
        return ThreadLease { [self] in endLease() }
    }

    /// The last lease's release: stops the crew. Idle, its threads end at once and are joined;
    /// busy, they finish what they run and what is queued, then end on their own (the release
    /// does not wait for another owner's work). A job or lease that comes meanwhile starts a
    /// new crew.
    private func endLease() {
        condition.lock()
        leases -= 1
        guard leases == 0, let stopping = crew else {
            condition.unlock()
            return
        }
        crew = nil
        stopping.isStopping = true
        retired.removeAll(where: \.hasEnded)
        retired.append(stopping)
        // idle: no thread runs a job (one starting or going back for more ends at once)
        let idle = stopping.busy.load(ordering: .acquiring) == 0 && head == queue.count
        condition.broadcast()
        condition.unlock()
        if idle { stopping.join() } else { stopping.joinLater() }
    }

    /// Returns once every thread stopped so far has ended: at once after a release that found
    /// its threads idle, later after one that left its threads to finish another owner's work.
    public func stopped() async {
        for crew in retiredCrews() { await crew.ended() }
    }

    private func retiredCrews() -> [ThreadCrew] {
        condition.lock()
        defer { condition.unlock() }
        retired.removeAll(where: \.hasEnded)
        return retired
    }

    /// Called with the lock held.
    private func startCrew() -> ThreadCrew {
        ThreadCrew(count: threadCount, prefix: name, stackSize: stackSize) { [self] crew in work(in: crew) }
    }

    /// Queues a job for the executor's threads, starting them if they are stopped.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if let worker = currentWorker(), worker.handoff, worker.next == nil {
            worker.handoff = false
            worker.next = job
            return
        }
        condition.lock()
        queue.append(job)
        if crew == nil { crew = startCrew() }
        condition.signal()
        condition.unlock()
    }

    /// Runs `body`, whose last act is to resume a task that runs on this executor, so that the
    /// resumed task continues on this thread as soon as the current job ends (when called on
    /// one of this executor's threads; elsewhere it simply runs `body`).
    func handingOff(_ body: () -> Void) {
        guard let worker = currentWorker() else { return body() }
        worker.handoff = true
        body()
        worker.handoff = false
    }

    private func currentWorker() -> Worker? {
        guard let pointer = pthread_getspecific(workerKey) else { return nil }
        return Unmanaged<Worker>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// The next queued job; `nil` once the queue is empty and `crew` is stopping.
    private func next(for crew: ThreadCrew) -> UnownedJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count {
            if crew.isStopping {
                if self.crew == nil, head > 0 {
                    queue = []
                    head = 0
                }
                return nil
            }
            condition.wait()
        }
        let job = queue[head]
        head += 1
        crew.busy.add(1, ordering: .relaxed)
        if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }

    private func work(in crew: ThreadCrew) {
        let worker = Worker()
        pthread_setspecific(workerKey, Unmanaged.passUnretained(worker).toOpaque())
        defer { pthread_setspecific(workerKey, nil) }
        let executor = asUnownedTaskExecutor()
        withExtendedLifetime(worker) {
            while true {
                let job: UnownedJob
                if let handed = worker.next {
                    worker.next = nil
                    job = handed
                } else if let queued = next(for: crew) {
                    job = queued
                } else {
                    return
                }
                job.runSynchronously(on: executor)
                // a job handed over next runs as part of the same work
                if worker.next == nil { crew.busy.subtract(1, ordering: .releasing) }
            }
        }
    }
}
