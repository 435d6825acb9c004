/// The answer of a key-value call made at once on the calling thread: its result, or word that
/// it would have had to wait (for a lock another connection holds), in which case nothing was
/// done and the caller makes the ordinary async call instead.
public enum KVImmediate<Value: Sendable>: Sendable {
    /// The call ran; this is what it returned.
    case done(Value)
    /// The call would have waited; nothing was read or written.
    case wouldWait
}

/// A store that can answer key-value calls synchronously on the calling thread when that costs
/// no waiting: an embedded database whose write lock is free. The Lua `kv` module uses it to
/// skip suspending the script; a caller must be on a thread that may block for the length of
/// one local transaction (a disk sync), never on Swift's cooperative pool.
///
/// Each method has the semantics of its async namesake in ``KeyValueStore``, including
/// durability (a write that returned `.done` is on disk) and errors; `.wouldWait` means nothing
/// happened.
public protocol ImmediateKeyValueStore: KeyValueStore {
    /// ``KeyValueStore/get(_:in:)``, at once.
    func getNow(_ key: String, in namespace: String) throws -> KVImmediate<KVEntry?>
    /// ``KeyValueStore/set(_:to:in:options:)``, at once.
    func setNow(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64>
    /// ``KeyValueStore/add(_:value:in:options:)``, at once.
    func addNow(_ key: String, value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?>
    /// ``KeyValueStore/replace(_:with:in:options:)``, at once.
    func replaceNow(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?>
    /// ``KeyValueStore/delete(_:in:fences:)``, at once.
    func deleteNow(_ key: String, in namespace: String, fences: [KVFence]) throws -> KVImmediate<Bool>
    /// ``KeyValueStore/increment(_:by:initial:in:options:)``, at once.
    func incrementNow(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64>
    /// ``KeyValueStore/compareAndSwap(_:version:to:in:options:)``, at once.
    func compareAndSwapNow(_ key: String, version: Int64?, to value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?>
    /// ``KeyValueStore/keys(in:prefix:limit:cursor:)``, at once.
    func keysNow(in namespace: String, prefix: String, limit: Int, cursor: String?) throws -> KVImmediate<KVPage>
    /// ``KeyValueStore/timeToLive(_:in:)``, at once.
    func timeToLiveNow(_ key: String, in namespace: String) throws -> KVImmediate<KVTimeToLive>
}

extension ImmediateKeyValueStore {
    /// ``KeyValueStore/delete(_:in:fence:)``, at once.
    public func deleteNow(_ key: String, in namespace: String, fence: KVLock?) throws -> KVImmediate<Bool> {
        try deleteNow(key, in: namespace, fences: KVFence.list(fence))
    }
}
