import CLua
import Foundation

/// One start of a set of joinable threads, from their start until they are stopped and joined.
///
/// The owner guards ``isStopping`` with its own lock, and its threads read it under that lock:
/// a thread returns from its body once it sees the flag and has nothing left to do. A stopped
/// crew is never started again; the owner starts a new one.
final class ThreadCrew {
    /// Set by the owner, under its lock, to tell the threads to end when idle.
    var isStopping = false
    /// How many of the threads wait for work now (kept by the owner, under its lock).
    var waiting = 0
    private var threads: [pthread_t] = []

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
    }

    /// Lets the threads end on their own, without anyone waiting for them; instead of ``join()``.
    func detach() {
        for thread in threads { pthread_detach(thread) }
    }
}
