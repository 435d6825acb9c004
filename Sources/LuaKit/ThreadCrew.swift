import CLua
import Foundation
import Synchronization

/// One start of a set of joinable threads, from their start until they are stopped and joined.
///
/// The owner guards ``isStopping`` with its own lock, and its threads read it under that lock:
/// a thread returns from its body once it sees the flag and has nothing left to do. A stopped
/// crew is never started again; the owner starts a new one. (Unchecked: its flags are guarded by
/// the owner's lock, its thread list is set once at the start, and its end by a mutex.)
final class ThreadCrew: @unchecked Sendable {
    /// Set by the owner, under its lock, to tell the threads to end when idle.
    var isStopping = false
    /// How many of the threads run work now (kept by the owner: raised under its lock as a
    /// thread takes work, lowered when the thread is done with it).
    let busy = Atomic(0)
    private var threads: [pthread_t] = []
    /// Whether ``join()`` has returned, and who awaits it.
    private let joined = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// What a thread runs, handed to it through `pthread_create`'s argument.
    private final class Start {
        let body: () -> Void

        init(body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `count` threads named `prefix-0`, `prefix-1`, … (or `prefix` alone, when not
    /// `numbered`; cut to the 15 bytes Linux keeps), each running `body` with the crew, on stacks
    /// of `stackSize` bytes (`nil`: the system's default).
    init(count: Int, prefix: String, stackSize: Int?, numbered: Bool = true, body: @escaping (ThreadCrew) -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        for index in 0..<max(1, count) {
            let name = Self.threadName(prefix, numbered ? "-\(index)" : "")
            let start = Unmanaged.passRetained(Start { body(self) })
            var thread = pthread_t()
            let status = pthread_create(&thread, &attributes, { argument in
                guard let argument else { return nil }
                Unmanaged<Start>.fromOpaque(argument).takeRetainedValue().body()
                return nil
            }, start.toOpaque())
            guard status == 0 else {
                start.release()
                // running on fewer threads is slower; running on none would hang every job
                if threads.isEmpty { fatalError("LuaKit: cannot start a thread (\(String(cString: strerror(status))))") }
                break
            }
            // named here, not by the thread itself: the name is in place when the crew is
            _ = clua_name_thread(thread, name)
            threads.append(thread)
        }
    }

    /// How many threads it started.
    var count: Int { threads.count }

    /// `prefix` + `suffix`, at most 15 bytes: the prefix is cut, the suffix kept.
    static func threadName(_ prefix: String, _ suffix: String) -> String {
        var name = ""
        for character in prefix {
            guard name.utf8.count + character.utf8.count + suffix.utf8.count <= 15 else { break }
            name.append(character)
        }
        return name + suffix
    }

    /// Waits until every thread has returned; a thread of the crew that calls this is detached
    /// instead (it cannot wait for itself) and ends on its own once idle. Call it once, after
    /// setting ``isStopping`` and waking the threads.
    func join() {
        let current = pthread_self()
        for thread in threads {
            if pthread_equal(thread, current) != 0 {
                pthread_detach(thread)
            } else {
                pthread_join(thread, nil)
            }
        }
        let waiters = joined.withLock { joined in
            joined.done = true
            defer { joined.waiters = [] }
            return joined.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Joins the threads on a thread of its own, for an owner that must not wait for the work
    /// they still hold; instead of ``join()``.
    func joinLater() {
        Thread.detachNewThread { self.join() }
    }

    /// Whether ``join()`` has returned.
    var hasEnded: Bool { joined.withLock { $0.done } }

    /// Returns once ``join()`` has: every thread of the crew has ended.
    func ended() async {
        await withCheckedContinuation { continuation in
            let done = joined.withLock { joined in
                if !joined.done { joined.waiters.append(continuation) }
                return joined.done
            }
            if done { continuation.resume() }
        }
    }
}
