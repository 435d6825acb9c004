/// Tuning of a store; the defaults suit `lunas run` and `lunas serve`.
public struct StoreOptions: Sendable, Equatable {
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
    /// SQLite's durability mode (default `.full`).
    public var synchronous: Synchronous
    /// How long SQLite waits for another process's write lock before failing.
    public var busyTimeout: Duration
    /// How often expired keys are purged in the background; `nil` never.
    public var purgeInterval: Duration?
    /// The most PostgreSQL connections the pool opens.
    public var maxConnections: Int

    /// Options.
    public init(
        maxValueBytes: Int = 256 << 10,
        synchronous: Synchronous = .full,
        busyTimeout: Duration = .seconds(30),
        purgeInterval: Duration? = .seconds(60),
        maxConnections: Int = 8
    ) {
        self.maxValueBytes = maxValueBytes
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.purgeInterval = purgeInterval
        self.maxConnections = maxConnections
    }
}
