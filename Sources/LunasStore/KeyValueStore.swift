/// Namespaced keys holding JSON values, with versions, expiry, counters and fenced locks.
///
/// Both backends give the same answers: a write that returned is durable, an expired key is
/// invisible at once, and every write gets a new store-wide version. Each namespace is held to
/// the store's ``KVQuota``: a write that would pass it throws ``StoreError/quotaExceeded(namespace:limit:quota:)``.
public protocol KeyValueStore: Sendable {
    /// The value and version of a key, or `nil` when it is absent or expired.
    func get(_ key: String, in namespace: String) async throws -> KVEntry?

    /// Stores a value (JSON text), replacing any other; returns the new version.
    @discardableResult
    func set(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64

    /// Stores a value only when the key is absent; returns the new version, or `nil` when the
    /// key existed.
    func add(_ key: String, value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64?

    /// Stores a value only when the key exists; returns the new version, or `nil` when absent.
    func replace(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64?

    /// Deletes a key, only while every one of `fences` holds; returns whether it existed.
    func delete(_ key: String, in namespace: String, fences: [KVFence]) async throws -> Bool

    /// Adds `delta` to the integer at `key` (starting from `initial` when absent) and returns
    /// the new integer. A TTL in `options` applies only when this call creates the key.
    func increment(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) async throws -> Int64

    /// Replaces the value only if its version is still `version` (`nil`: only if absent);
    /// returns the new version, or `nil` when someone else wrote first.
    func compareAndSwap(_ key: String, version: Int64?, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64?

    /// Keys starting with `prefix`, in byte order, `limit` at a time, after `cursor`.
    func keys(in namespace: String, prefix: String, limit: Int, cursor: String?) async throws -> KVPage

    /// How long a key has left.
    func timeToLive(_ key: String, in namespace: String) async throws -> KVTimeToLive

    /// Takes a lock for `ttl` (at most ``KVLock/maxTTL``) unless someone holds it, only while
    /// every one of `fences` holds (else it throws, taking nothing); returns it with a fresh
    /// fencing token, or `nil` when it is held.
    func acquireLock(_ name: String, in namespace: String, ttl: Duration, owner: String, fences: [KVFence]) async throws -> KVLock?

    /// Extends a held lock by `ttl` (at most ``KVLock/maxTTL``) from now, only while every one
    /// of `fences` holds (else it throws, extending nothing); returns the lock with its new
    /// expiry, or `nil` when it was lost.
    func refreshLock(_ lock: KVLock, ttl: Duration, fences: [KVFence]) async throws -> KVLock?

    /// Releases a lock; returns whether it was still held with this token.
    func releaseLock(_ lock: KVLock) async throws -> Bool

    /// What a namespace holds now, as its ``KVQuota`` counts it (live keys and locks only).
    func usage(in namespace: String) async throws -> KVUsage

    /// Deletes expired keys and lapsed locks; returns how many rows went.
    @discardableResult
    func purgeExpired() async throws -> Int
}

extension KeyValueStore {
    /// Stores a value with no expiry and no fence.
    @discardableResult
    public func set(_ key: String, to value: String, in namespace: String) async throws -> Int64 {
        try await set(key, to: value, in: namespace, options: KVWriteOptions())
    }

    /// Deletes a key, only while `fence` (when given) is still held; returns whether it existed.
    public func delete(_ key: String, in namespace: String, fence: KVLock?) async throws -> Bool {
        try await delete(key, in: namespace, fences: KVFence.list(fence))
    }

    /// Takes a lock, unfenced (see ``acquireLock(_:in:ttl:owner:fences:)``).
    public func acquireLock(_ name: String, in namespace: String, ttl: Duration, owner: String) async throws -> KVLock? {
        try await acquireLock(name, in: namespace, ttl: ttl, owner: owner, fences: [])
    }

    /// Extends a held lock, unfenced (see ``refreshLock(_:ttl:fences:)``).
    public func refreshLock(_ lock: KVLock, ttl: Duration) async throws -> KVLock? {
        try await refreshLock(lock, ttl: ttl, fences: [])
    }
}
