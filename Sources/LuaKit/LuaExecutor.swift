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

    /// The executor every state uses unless told otherwise: one thread per core.
    public static let shared = LuaExecutor(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Starts an executor with this many threads.
    public init(threads: Int, stackSize: Int = 16 << 20) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "lua-\(index)"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
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
        let executor = asUnownedTaskExecutor()
        while true {
            next().runSynchronously(on: executor)
        }
    }
}
