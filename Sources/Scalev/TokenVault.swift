import Foundation

/// Where a client keeps the token pairs of OAuth installations and customer sessions: shared by
/// every process that signs with them, with a lock that lets one of them refresh at a time
/// (refresh tokens are single use). Lunas's credential vault is one; a host may bring its own.
public protocol TokenVault: Sendable {
    /// The secret stored under `name`, or `nil` when there is none.
    func secret(_ name: String) async throws -> Data?
    /// Stores a secret (a token pair's document, ``TokenPair/stored``) under `name`.
    func save(_ name: String, secret: Data) async throws
    /// Deletes the secret under `name`; returns whether it existed.
    func delete(_ name: String) async throws -> Bool
    /// Runs `body` holding `name`'s refresh lock, across processes and machines: `body` gets the
    /// current secret and returns the one to keep, which is stored only while the lock is still
    /// held (a refresher that outlived its `lease` must not overwrite a newer token). Waits at
    /// most `wait` for another holder to finish.
    func withRefreshLock(
        _ name: String, lease: Duration, wait: Duration, _ body: @Sendable (Data?) async throws -> Data
    ) async throws -> Data
}
