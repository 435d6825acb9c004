import Foundation

/// The threads Lua code runs on: dedicated threads outside Swift's cooperative pool, so that a
/// CPU-bound script never starves the tasks doing I/O.
///
/// A state runs on one of these threads at a time; between steps (at async host calls) it may
/// move to another, which Lua allows because a suspended coroutine keeps no C stack.
public final class LuaExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var head = 0
    /// The per-thread key under which each of this executor's threads keeps its ``Worker``.
    private let workerKey: pthread_key_t

    /// The executor every state uses unless told otherwise: one thread per core.
    public static let shared = LuaExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// One thread's own state, touched only by that thread.
    private final class Worker {
        /// Set while the job running now is about to end by resuming another task: a job
        /// enqueued meanwhile is kept here and run next on this thread, with no wake-up.
        var handoff = false
        var next: UnownedJob?
    }

    /// Starts an executor with this many threads.
    public init(threads: Int, stackSize: Int = 16 << 20) {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        workerKey = key
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "lua-\(index)"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if let worker = currentWorker(), worker.handoff, worker.next == nil {
            worker.handoff = false
            worker.next = job
            return
        }
        condition.lock()
        queue.append(job)
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

    private func next() -> UnownedJob {
        condition.lock()
        defer { condition.unlock() }
        while head == queue.count { condition.wait() }
        let job = queue[head]
        head += 1
        if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }

    private func work() {
        let worker = Worker()
        pthread_setspecific(workerKey, Unmanaged.passRetained(worker).toOpaque())
        let executor = asUnownedTaskExecutor()
        while true {
            let job: UnownedJob
            if let handed = worker.next {
                worker.next = nil
                job = handed
            } else {
                job = next()
            }
            job.runSynchronously(on: executor)
        }
    }
}
