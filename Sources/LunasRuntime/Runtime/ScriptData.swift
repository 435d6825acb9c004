import Foundation
import LunasStore

/// One `kv` namespace of a runtime's store, as the host reads and writes it: the data the
/// scripts of that namespace see through `kv`, each value as JSON text.
///
/// ```swift
/// let pricing = try runtime.data(in: "pricing")
/// try await pricing.set("tiers", json: #"{"gold": 10}"#)
/// let runs = try await pricing.get("runs")?.json   // what the rule's kv.incr("runs") left
/// ```
public struct ScriptData: Sendable {
    /// The longest a value may live: 10 years.
    public static let maxTTLSeconds = KVWriteOptions.maxTTLSeconds

    /// The namespace.
    public let namespace: String
    private let store: OnDemandStore

    /// A stored value.
    public struct Entry: Sendable, Equatable {
        /// The value as JSON text.
        public var json: String
        /// Its version, for a script's `kv.cas`.
        public var version: Int64
        /// When it expires, if it does.
        public var expiresAt: Date?
    }

    init(namespace: String, store: OnDemandStore) {
        self.namespace = namespace
        self.store = store
    }

    /// The value of `key`; `nil` when there is none (or it expired).
    public func get(_ key: String) async throws -> Entry? {
        try await store.store().get(key, in: namespace).map { Entry(json: $0.value, version: $0.version, expiresAt: $0.expiresAt) }
    }

    /// Stores `json` (JSON text: `42`, `"text"`, `[1,2]`, `{"a":1}`, `null`) under `key`,
    /// expiring after `ttl` if given; returns the new version.
    public func set(_ key: String, json: String, ttl: Duration? = nil) async throws -> Int64 {
        guard (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) != nil else {
            throw ScriptDataError("the value of '\(key)' must be JSON; quote text as \"text\"")
        }
        return try await store.store().set(key, to: json, in: namespace, options: KVWriteOptions(ttl: ttl))
    }

    /// Deletes `key`; whether it existed.
    public func delete(_ key: String) async throws -> Bool {
        try await store.store().delete(key, in: namespace, fence: nil)
    }

    /// Up to `limit` keys starting with `prefix`, in byte order, after `cursor`; and the cursor of
    /// the next page, `nil` after the last.
    public func keys(prefix: String = "", limit: Int = 1000, after cursor: String? = nil) async throws -> (keys: [String], cursor: String?) {
        let page = try await store.store().keys(in: namespace, prefix: prefix, limit: limit, cursor: cursor)
        return (page.keys, page.cursor)
    }

    /// Adds `delta` to the integer under `key` (starting from `initial` when absent); the result.
    public func increment(_ key: String, by delta: Int64 = 1, initial: Int64 = 0) async throws -> Int64 {
        try await store.store().increment(key, by: delta, initial: initial, in: namespace, options: KVWriteOptions())
    }
}

/// A host's use of ``ScriptData`` that cannot be carried out.
public struct ScriptDataError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Runtime {
    /// The `kv` data of `namespace` in the runtime's store; throws when the runtime has none.
    public func data(in namespace: String) throws -> ScriptData {
        guard let store else { throw ScriptDataError("this runtime has no store (RuntimeConfiguration.store)") }
        guard !namespace.isEmpty else { throw ScriptDataError("a kv namespace cannot be empty") }
        return ScriptData(namespace: namespace, store: store)
    }

    /// Whether the runtime's store is there to be read: a SQLite file that exists, or a database
    /// server's (which answers for itself). Read-only tools check it so that they never create one.
    public var storeExists: Bool { store?.location.exists ?? false }

    /// Opens the store now (a SQLite file is created if missing), so that one that cannot be
    /// opened is reported before any use.
    public func openStore() async throws {
        _ = try await store?.store()
    }
}
