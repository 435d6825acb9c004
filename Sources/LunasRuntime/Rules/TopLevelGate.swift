import LuaKit
import Synchronization

/// Keeps a rules file's top level away from `scalev` and `kv`: registration must stay fast and
/// deterministic. The modules check it at their entry; the run opens it before it calls a
/// handler. One per run.
final class TopLevelGate: Sendable {
    private let closed = Atomic<Bool>(false)

    /// A gate, open unless `closed`.
    init(closed: Bool = false) {
        self.closed.store(closed, ordering: .relaxed)
    }

    /// From now on `scalev` and `kv` calls fail.
    func close() { closed.store(true, ordering: .relaxed) }

    /// From now on they go through.
    func open() { closed.store(false, ordering: .relaxed) }

    /// Throws, for the script's line, when the gate is closed.
    func check(_ module: String) throws {
        guard closed.load(ordering: .relaxed) else { return }
        throw LuaError(.usage, Self.message(module))
    }

    /// What a top-level call of `module` is told.
    static func message(_ module: String) -> String {
        "a rules file's top level may not call \(module) (registration must stay fast and deterministic): call it inside a handler"
    }
}
