import Foundation
import LunasClock

/// A key-value store that reads through to another and keeps every write to itself, in memory:
/// what a dry run writes. Its own reads see its writes (a script behaves as it would for real),
/// and nothing reaches the store beneath, whose data stays as it was.
///
/// Each write is reported to `record` as it is kept, so that the run can say what it would
/// have written. Locks are taken here too; fences are checked against them. The store's
/// ``KVQuota`` holds here as it would for real, over what the store holds and the overlay's own
/// writes, so a dry run fails where the real run would, and the memory the overlay keeps is
/// bounded by the quotas of the namespaces the run writes.
public actor KVOverlay: KeyValueStore {
    /// A write kept by the overlay.
    public struct Write: Sendable, Equatable {
        /// What was called: `set`, `add`, `replace`, `incr`, `cas`, `delete` or `lock`.
        public var operation: String
        /// The namespace written.
        public var namespace: String
        /// The key (or the lock's name).
        public var key: String
        /// The JSON text the key now holds; `nil` for a delete or a lock.
        public var value: String?
    }

    private struct Key: Hashable {
        var namespace: String
        var key: String
    }

    private enum Kept {
        /// A value written here; `hidesBase` when the store beneath holds the key too.
        case value(KVEntry, hidesBase: Bool)
        /// A key of the store beneath, deleted here.
        case deleted
    }

    private let base: @Sendable () async throws -> any KeyValueStore
    private let record: @Sendable (Write) -> Void
    private let clock: any WallClock
    private let maxValueBytes: Int
    private let quota: KVQuota
    private var kept: [Key: Kept] = [:]
    private var locks: [Key: KVLock] = [:]
    /// What each namespace written holds, as the quota counts it (like the store's counts,
    /// expired writes until they are purged).
    private var usage: [String: KVUsage] = [:]
    // versions of kept writes: far above any a store hands out, so never mistaken for one of its
    private var nextVersion: Int64 = 1 << 62

    /// An overlay over the store `base` opens (on the first read that misses the overlay).
    public init(
        maxValueBytes: Int = StoreOptions().maxValueBytes, quota: KVQuota = KVQuota(), clock: any WallClock = SystemClock(),
        base: @escaping @Sendable () async throws -> any KeyValueStore, record: @escaping @Sendable (Write) -> Void
    ) {
        self.base = base
        self.record = record
        self.clock = clock
        self.maxValueBytes = maxValueBytes
        self.quota = quota
    }

    private func live(_ key: Key) -> Kept? {
        guard let kept = kept[key] else { return nil }
        if case .value(let entry, _) = kept, let expiry = entry.expiresAt, expiry <= clock.now() { return .deleted }
        return kept
    }

    private func current(_ key: String, _ namespace: String) async throws -> KVEntry? {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkKey(key)
        switch live(Key(namespace: namespace, key: key)) {
        case .value(let entry, _): return entry
        case .deleted: return nil
        case nil: return try await base().get(key, in: namespace)
        }
    }

    /// What the quota counts for `key` now, given the entry `visible` to reads: the overlay's
    /// own (expired or not, until purged), else the store's.
    private func counted(_ key: Key, visible: KVEntry?) -> KVUsage {
        switch kept[key] {
        case .value(let entry, _): .of(key.key, entry.value)
        case .deleted: KVUsage()
        case nil: visible.map { .of(key.key, $0.value) } ?? KVUsage()
        }
    }

    /// Whether the store beneath holds `key`, given the entry `visible` to reads.
    private func hidesBase(_ key: Key, visible: KVEntry?) -> Bool {
        switch kept[key] {
        case .value(_, let hides): hides
        case .deleted: true
        case nil: visible != nil
        }
    }

    /// Adds `change()` to the namespace's usage, within the quota: past it, the namespace's
    /// expired writes and lapsed locks are purged and `change()` is asked again.
    private func account(_ namespace: String, _ change: () -> KVUsage) async throws {
        if usage[namespace] == nil {
            let beneath = try await base().usage(in: namespace)
            if usage[namespace] == nil { usage[namespace] = beneath }
        }
        do {
            try quota.check(usage[namespace] ?? KVUsage(), adding: change(), in: namespace)
        } catch {
            purgeExpired(in: namespace)
            try quota.check(usage[namespace] ?? KVUsage(), adding: change(), in: namespace)
        }
        usage[namespace, default: KVUsage()] = usage[namespace, default: KVUsage()] + change()
    }

    /// Forgets the namespace's expired writes (a key of the store beneath stays deleted) and
    /// lapsed locks, and their usage.
    private func purgeExpired(in namespace: String) {
        let now = clock.now()
        var freed = KVUsage(keys: 0, bytes: 0)
        for (key, state) in kept where key.namespace == namespace {
            guard case .value(let entry, let hides) = state, let expiry = entry.expiresAt, expiry <= now else { continue }
            freed = freed + .of(key.key, entry.value)
            kept[key] = hides ? .deleted : nil
        }
        for (key, lock) in locks where key.namespace == namespace && lock.expiresAt <= now {
            freed = freed + .of(key.key)
            locks[key] = nil
        }
        usage[namespace, default: KVUsage()] = usage[namespace, default: KVUsage()] - freed
    }

    /// Throws unless each lock fence is a live lock of the overlay's. A job's lease does not
    /// condition the overlay's writes: they never reach the store, so a lost lease cannot make
    /// two runs' writes land there.
    private func checkFences(_ fences: [KVFence]) throws {
        for case .lock(let fence) in fences {
            let held = locks[Key(namespace: fence.namespace, key: fence.name)]
            guard let held, held.token == fence.token, held.expiresAt > clock.now() else {
                throw StoreError.staleFence(lock: fence.name, token: fence.token)
            }
        }
    }

    /// Keeps `value` at `key`, which reads showed as `visible`.
    private func keep(
        _ operation: String, _ key: String, _ value: String, _ namespace: String, over visible: KVEntry?, ttl: Duration?, expiresAt: Date? = nil
    ) async throws -> Int64 {
        try KVNames.checkValue(value, limit: maxValueBytes)
        let milliseconds = try KVNames.checkTTL(ttl)
        let slot = Key(namespace: namespace, key: key)
        try await account(namespace) { .of(key, value) - counted(slot, visible: visible) }
        nextVersion += 1
        let expiry = milliseconds.map { clock.now().addingTimeInterval(Double($0) / 1000) } ?? expiresAt
        kept[slot] = .value(KVEntry(value: value, version: nextVersion, expiresAt: expiry), hidesBase: hidesBase(slot, visible: visible))
        record(Write(operation: operation, namespace: namespace, key: key, value: value))
        return nextVersion
    }

    public func get(_ key: String, in namespace: String) async throws -> KVEntry? {
        try await current(key, namespace)
    }

    public func set(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let visible = try await current(key, namespace)
        try checkFences(options.fences)
        return try await keep("set", key, value, namespace, over: visible, ttl: options.ttl)
    }

    public func add(_ key: String, value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        guard try await current(key, namespace) == nil else { return nil }
        try checkFences(options.fences)
        return try await keep("add", key, value, namespace, over: nil, ttl: options.ttl)
    }

    public func replace(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        guard let visible = try await current(key, namespace) else { return nil }
        try checkFences(options.fences)
        return try await keep("replace", key, value, namespace, over: visible, ttl: options.ttl)
    }

    public func delete(_ key: String, in namespace: String, fences: [KVFence]) async throws -> Bool {
        let visible = try await current(key, namespace)
        try checkFences(fences)
        let slot = Key(namespace: namespace, key: key)
        try await account(namespace) { KVUsage() - counted(slot, visible: visible) }
        // a marker only where the store beneath holds the key, so deleting keeps nothing else
        kept[slot] = hidesBase(slot, visible: visible) ? .deleted : nil
        record(Write(operation: "delete", namespace: namespace, key: key, value: nil))
        return visible != nil
    }

    public func increment(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let entry = try await current(key, namespace)
        try checkFences(options.fences)
        let start: Int64
        if let entry {
            guard let value = Int64(entry.value) else { throw StoreError.notAnInteger(key: key) }
            start = value
        } else {
            start = initial
        }
        let (next, overflow) = start.addingReportingOverflow(delta)
        if overflow { throw StoreError.integerOverflow(key: key) }
        // the TTL applies only when this call creates the key
        _ = try await keep("incr", key, String(next), namespace, over: entry, ttl: entry == nil ? options.ttl : nil, expiresAt: entry?.expiresAt)
        return next
    }

    public func compareAndSwap(_ key: String, version: Int64?, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        let visible = try await current(key, namespace)
        guard visible?.version == version else { return nil }
        try checkFences(options.fences)
        return try await keep("cas", key, value, namespace, over: visible, ttl: options.ttl)
    }

    public func keys(in namespace: String, prefix: String, limit: Int, cursor: String?) async throws -> KVPage {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkLimit(limit)
        let after = try KVCursor.decode(cursor)
        func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        func beyond(_ key: String) -> Bool { after.isEmpty || byteOrder(after, key) }
        var mine: [String] = []
        for (kept, state) in kept where kept.namespace == namespace && kept.key.hasPrefix(prefix) && beyond(kept.key) {
            if case .value = state, case .value = live(kept) { mine.append(kept.key) }
        }
        // the store's keys, less those the overlay deleted or holds itself, until a page is full
        var theirs: [String] = []
        var baseCursor = cursor
        var baseExhausted = false
        while theirs.count < limit && !baseExhausted {
            let page = try await base().keys(in: namespace, prefix: prefix, limit: limit, cursor: baseCursor)
            theirs += page.keys.filter { kept[Key(namespace: namespace, key: $0)] == nil }
            baseCursor = page.cursor
            baseExhausted = page.cursor == nil
        }
        let merged = Array(Set(mine + theirs)).sorted(by: byteOrder)
        let page = Array(merged.prefix(limit))
        let more = merged.count > limit || !baseExhausted
        return KVPage(keys: page, cursor: more ? page.last.map(KVCursor.encode) : nil)
    }

    public func timeToLive(_ key: String, in namespace: String) async throws -> KVTimeToLive {
        switch live(Key(namespace: namespace, key: key)) {
        case .value(let entry, _):
            guard let expiry = entry.expiresAt else { return .persistent }
            return .remaining(.milliseconds(Int64((expiry.timeIntervalSince(clock.now()) * 1000).rounded(.up))))
        case .deleted: return .absent
        case nil: return try await base().timeToLive(key, in: namespace)
        }
    }

    public func acquireLock(_ name: String, in namespace: String, ttl: Duration, owner: String, fences: [KVFence]) async throws -> KVLock? {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkKey(name)
        try checkFences(fences)
        let key = Key(namespace: namespace, key: name)
        if let held = locks[key], held.expiresAt > clock.now() { return nil }
        let milliseconds = try KVNames.checkLockTTL(ttl)
        try await account(namespace) { locks[key] == nil ? .of(name) : KVUsage() }
        nextVersion += 1
        let lock = KVLock(namespace: namespace, name: name, token: nextVersion, expiresAt: clock.now().addingTimeInterval(Double(milliseconds) / 1000))
        locks[key] = lock
        record(Write(operation: "lock", namespace: namespace, key: name, value: nil))
        return lock
    }

    public func refreshLock(_ lock: KVLock, ttl: Duration, fences: [KVFence]) async throws -> KVLock? {
        let key = Key(namespace: lock.namespace, key: lock.name)
        let milliseconds = try KVNames.checkLockTTL(ttl)
        try checkFences(fences)
        guard let held = locks[key], held.token == lock.token, held.expiresAt > clock.now() else { return nil }
        var refreshed = held
        refreshed.expiresAt = clock.now().addingTimeInterval(Double(milliseconds) / 1000)
        locks[key] = refreshed
        return refreshed
    }

    public func releaseLock(_ lock: KVLock) async throws -> Bool {
        let key = Key(namespace: lock.namespace, key: lock.name)
        guard let held = locks[key], held.token == lock.token, held.expiresAt > clock.now() else { return false }
        locks[key] = nil
        usage[lock.namespace, default: KVUsage()] = usage[lock.namespace, default: KVUsage()] - .of(lock.name)
        return true
    }

    public func usage(in namespace: String) async throws -> KVUsage {
        try KVNames.checkNamespace(namespace)
        try await account(namespace) { KVUsage() }
        purgeExpired(in: namespace)
        return usage[namespace] ?? KVUsage()
    }

    /// Nothing to purge: expired writes of the overlay are invisible already (and forgotten
    /// when their namespace reaches its quota).
    public func purgeExpired() async throws -> Int { 0 }
}
