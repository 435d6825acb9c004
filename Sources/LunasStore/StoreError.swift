/// Why a store operation was refused. Each case says what to do next.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value's JSON text is larger than ``StoreOptions/maxValueBytes``.
    case valueTooLarge(bytes: Int, limit: Int)
    /// A write would take a `kv` namespace past its ``KVQuota``; nothing was written.
    case quotaExceeded(namespace: String, limit: KVQuota.Limit, quota: Int)
    /// `incr` met a value that is not an integer.
    case notAnInteger(key: String)
    /// `incr` would leave the range of 64-bit integers.
    case integerOverflow(key: String)
    /// A key, namespace or lock name that cannot be stored (empty, too long, not UTF-8).
    case invalidName(String)
    /// An argument out of range (a negative TTL, a zero limit, a malformed cursor).
    case invalidArgument(String)
    /// A write fenced by a lock whose token is no longer the holder's: the lock expired and was
    /// taken by someone else, or was released.
    case staleFence(lock: String, token: Int64)
    /// A write fenced by a job's lease that is no longer held: the lease lapsed and another
    /// runner claimed the job (or the job finished). The run that made the write lost the job.
    case lostJobLease(job: Int64, leaseToken: Int64)
    /// A store location that is neither a SQLite path nor a `postgres://` URL.
    case unsupportedLocation(String)
    /// The vault key is missing or malformed.
    case vaultKey(String)
    /// A sealed credential could not be opened (wrong key, or tampered data).
    case vaultCorrupt(String)
    /// No credential of that name is in the vault.
    case credentialNotFound(String)
    /// The PostgreSQL server at `host:port` could not be reached, or refused the login.
    case unreachable(host: String, port: Int, reason: String)
    /// The database refused or failed an operation (its own message, without the values sent).
    case database(String)

    public var description: String {
        switch self {
        case .valueTooLarge(let bytes, let limit):
            "value is \(bytes) bytes of JSON, over the \(limit)-byte limit; store less, or split it over several keys"
        case .quotaExceeded(let namespace, .keys, let quota):
            "kv quota of namespace '\(namespace)' exceeded: \(quota) keys (delete keys, or raise [kv] max_keys)"
        case .quotaExceeded(let namespace, .bytes, let quota):
            "kv quota of namespace '\(namespace)' exceeded: \(quota) bytes (delete keys or store less, or raise [kv] max_bytes)"
        case .notAnInteger(let key):
            "the value of '\(key)' is not an integer, so it cannot be incremented"
        case .integerOverflow(let key):
            "incrementing '\(key)' would overflow a 64-bit integer"
        case .invalidName(let reason):
            reason
        case .invalidArgument(let reason):
            reason
        case .staleFence(let lock, let token):
            "stale fencing token \(token) for lock '\(lock)': the lock expired or was released, so this write was refused"
        case .lostJobLease(let job, _):
            "this run's job lease was lost (job \(job)): another runner has the job; the write was not made"
        case .unsupportedLocation(let text):
            "cannot use '\(text)' as a store: give a SQLite file path or a postgres:// URL"
        case .vaultKey(let reason):
            "vault key: \(reason)"
        case .vaultCorrupt(let name):
            "credential '\(name)' cannot be decrypted: wrong LUNAS_VAULT_KEY, or the stored data was altered"
        case .credentialNotFound(let name):
            "no credential named '\(name)' in the vault"
        case .unreachable(let host, let port, let reason):
            "cannot connect to the store at \(host):\(port): \(reason)"
        case .database(let message):
            "database error: \(message)"
        }
    }
}
