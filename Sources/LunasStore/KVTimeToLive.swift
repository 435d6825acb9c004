/// How long a key has left.
public enum KVTimeToLive: Sendable, Equatable {
    /// The key does not exist (or has expired).
    case absent
    /// The key never expires.
    case persistent
    /// The key expires after this long.
    case remaining(Duration)
}
