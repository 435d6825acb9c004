/// What a `kv` namespace holds, as ``KVQuota`` counts it: live keys and locks, and their bytes.
public struct KVUsage: Sendable, Equatable {
    /// How many keys and locks.
    public var keys: Int
    /// The UTF-8 bytes of their names and of the keys' JSON text.
    public var bytes: Int

    /// A usage.
    public init(keys: Int = 0, bytes: Int = 0) {
        self.keys = keys
        self.bytes = bytes
    }

    /// The usage of one key holding `value` (or of one lock named `key`, with no value).
    static func of(_ key: String, _ value: String? = nil) -> KVUsage {
        KVUsage(keys: 1, bytes: key.utf8.count + (value?.utf8.count ?? 0))
    }

    /// The integrity problem of a namespace whose counts (`lunas_kv_usage`) are not what its rows hold.
    static func mismatch(_ namespace: String) -> String {
        "the kv usage counts of namespace '\(namespace)' (lunas_kv_usage) do not match its keys and locks"
    }

    static func + (a: KVUsage, b: KVUsage) -> KVUsage { KVUsage(keys: a.keys + b.keys, bytes: a.bytes + b.bytes) }
    static func - (a: KVUsage, b: KVUsage) -> KVUsage { KVUsage(keys: a.keys - b.keys, bytes: a.bytes - b.bytes) }
}
