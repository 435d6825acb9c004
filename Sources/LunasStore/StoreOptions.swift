import LunasClock

/// Tuning of a store; the defaults suit `lunas run` and `lunas serve`.
public struct StoreOptions: Sendable {
    /// How SQLite makes a commit durable.
    public enum Synchronous: String, Sendable, Equatable {
        /// fsync the WAL at every commit: a write that returned survives power loss.
        case full = "FULL"
        /// fsync only at checkpoints: a write that returned survives a crash of the process,
        /// but the last commits may be lost on power loss. Faster.
        case normal = "NORMAL"
    }

    /// The largest value, in bytes of JSON text (default 256 KiB).
    public var maxValueBytes: Int
    /// How much each `kv` namespace may hold (default 10,000 keys and 64 MiB).
    public var kvQuota: KVQuota
    /// SQLite's durability mode (default `.full`).
    public var synchronous: Synchronous
    /// How long SQLite waits for another process's write lock before failing.
    public var busyTimeout: Duration
    /// How often expired keys are purged in the background; `nil` never.
    public var purgeInterval: Duration?
    /// The most PostgreSQL connections the pool opens.
    public var maxConnections: Int
    /// How long opening a PostgreSQL store waits for the server (connection and login) before
    /// it fails with ``StoreError/unreachable(host:port:reason:)`` (default 5 s).
    public var connectTimeout: Duration
    /// The time expiry, locks, leases and jobs are reckoned by, and the background purge sleeps
    /// on (default: the system clock). PostgreSQL keeps the database's clock, the one every
    /// machine shares, unless this is a test's clock.
    public var clock: any WallClock

    /// Options.
    public init(
        maxValueBytes: Int = 256 << 10,
        kvQuota: KVQuota = KVQuota(),
        synchronous: Synchronous = .full,
        busyTimeout: Duration = .seconds(30),
        purgeInterval: Duration? = .seconds(60),
        maxConnections: Int = 8,
        connectTimeout: Duration = .seconds(5),
        clock: any WallClock = SystemClock()
    ) {
        self.maxValueBytes = maxValueBytes
        self.kvQuota = kvQuota
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.purgeInterval = purgeInterval
        self.maxConnections = maxConnections
        self.connectTimeout = connectTimeout
        self.clock = clock
    }
}
