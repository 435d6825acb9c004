import RateBudget

/// The one database layer of Lunas: key-value data and locks, the credential vault's rows, the
/// rate-budget ledger and the runner's tables, on SQLite or PostgreSQL with the same semantics.
///
/// Open one with ``StoreLocation/open(options:)``; migrations are applied on open.
public protocol Store: KeyValueStore, CredentialStorage, RateLedger, RunnerStore {
    /// Which backend this is.
    var location: StoreLocation { get }
    /// The schema version after the migrations of this build.
    func schemaVersion() async throws -> Int
    /// The problems found by a consistency check of the database (file integrity, versions
    /// never ahead of the version counter); empty when all is well.
    func checkIntegrity() async throws -> [String]
    /// Stops background work and closes connections. The store cannot be used afterwards.
    func close() async
}
