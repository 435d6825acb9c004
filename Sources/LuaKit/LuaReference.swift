import CLua
import Synchronization

/// A reference to a function, userdata, coroutine or table in a state's registry.
///
/// The registry slot is held as long as a copy of the reference exists, and released when the
/// last copy is dropped, on whatever thread that happens: the release is queued and carried out
/// by the state itself, the next time it is entered (or when it closes).
public struct LuaReference: Sendable, Hashable {
    /// What the reference points at.
    public enum Kind: String, Sendable {
        case function, userdata, thread, table
    }

    /// What the reference points at.
    public let kind: Kind
    let slot: RegistrySlot

    init(kind: Kind, slot: RegistrySlot) {
        self.kind = kind
        self.slot = slot
    }

    public static func == (lhs: LuaReference, rhs: LuaReference) -> Bool { lhs.slot === rhs.slot }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(slot)) }
}

/// One registry slot of a state, released (through the state's anchor) when dropped.
final class RegistrySlot: Sendable {
    let anchor: StateAnchor
    let index: Int32

    init(anchor: StateAnchor, index: Int32) {
        self.anchor = anchor
        self.index = index
    }

    deinit { anchor.release(index) }
}

/// What a state's references hold on to: the state's identity, whether it is closed, and the
/// registry slots released from any thread that the state has yet to free.
final class StateAnchor: Sendable {
    private struct Releases {
        var slots: [Int32] = []
        var closed = false
    }

    private let releases = Mutex(Releases())

    /// Queues a slot for the state to free (nothing to do once it is closed).
    func release(_ slot: Int32) {
        releases.withLock { r in
            if !r.closed { r.slots.append(slot) }
        }
    }

    /// Whether the state has been closed.
    var isClosed: Bool { releases.withLock { $0.closed } }

    /// Marks the state closed: queued and later releases are dropped, the state's heap is gone.
    func close() {
        releases.withLock { r in
            r.closed = true
            r.slots = []
        }
    }

    /// Frees the queued slots in the registry of `L` (the state's thread only).
    func drain(_ L: OpaquePointer) {
        let slots = releases.withLock { r -> [Int32] in
            guard !r.slots.isEmpty else { return [] }
            defer { r.slots = [] }
            return r.slots
        }
        for slot in slots { luaL_unref(L, clua_registryindex(), slot) }
    }

    /// The anchor of the state `L` belongs to.
    static func of(_ L: OpaquePointer) -> StateAnchor? {
        guard let host = clua_control_of(L).pointee.host else { return nil }
        return Unmanaged<StateAnchor>.fromOpaque(host).takeUnretainedValue()
    }

    /// Whether `L` is a thread of this anchor's state.
    func owns(_ L: OpaquePointer) -> Bool {
        clua_control_of(L).pointee.host == Unmanaged.passUnretained(self).toOpaque()
    }
}

extension LuaStack {
    /// A new reference to the value at `index`. Frees the slots released since the last time
    /// first, so the registry holds no more slots than there are live references.
    func reference(at index: Int32, kind: LuaReference.Kind) -> LuaReference? {
        guard let anchor = StateAnchor.of(L) else { return nil }
        anchor.drain(L)
        lua_pushvalue(L, index)
        let slot = luaL_ref(L, clua_registryindex())
        return LuaReference(kind: kind, slot: RegistrySlot(anchor: anchor, index: slot))
    }

    /// Pushes the referenced value; throws when the reference belongs to another state or its
    /// state is closed.
    func push(_ reference: LuaReference) throws {
        guard reference.slot.anchor.owns(L) else {
            throw LuaError(.usage, reference.slot.anchor.isClosed
                ? "the Lua state this \(reference.kind.rawValue) belongs to is closed"
                : "this \(reference.kind.rawValue) belongs to another Lua state")
        }
        lua_rawgeti(L, clua_registryindex(), lua_Integer(reference.slot.index))
    }
}
