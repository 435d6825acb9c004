import Crypto
import Foundation

/// Credentials encrypted at rest (AES-GCM, the credential's name as authenticated data, so a
/// sealed value cannot be moved to another name), with refreshes serialised across processes.
public struct CredentialVault: Sendable {
    /// The namespace of the vault's refresh locks.
    public static let lockNamespace = "lunas/vault"

    let store: any CredentialStorage & KeyValueStore
    let key: VaultKey

    /// A vault over a store's credential rows, with its key-value locks for refreshes.
    public init(store: any CredentialStorage & KeyValueStore, key: VaultKey) {
        self.store = store
        self.key = key
    }

    /// Stores a secret (a token, an API key, a JSON document of both).
    public func save(_ name: String, secret: Data) async throws {
        try await store.saveCredential(name, sealed: try seal(secret, name: name), fence: nil)
    }

    /// The secret, or `nil` when there is none.
    public func secret(_ name: String) async throws -> Data? {
        guard let sealed = try await store.loadCredential(name) else { return nil }
        return try open(sealed.sealed, name: name)
    }

    /// Deletes a credential; returns whether it existed.
    public func delete(_ name: String) async throws -> Bool { try await store.deleteCredential(name) }

    /// Refreshes a rotating credential with at most one refresher at a time, across processes
    /// and machines: `body` gets the current secret and returns the one to keep (return the
    /// same one when another process already refreshed it). The new secret is written only
    /// while the lock is still held, so a refresher that outlived its lease cannot overwrite a
    /// newer token.
    ///
    /// - Parameters:
    ///   - lease: how long the lock is held before another process may take over.
    ///   - wait: how long to wait for another refresher to finish.
    public func withRefreshLock(
        _ name: String, lease: Duration = .seconds(60), wait: Duration = .seconds(60),
        _ body: @Sendable (Data?) async throws -> Data
    ) async throws -> Data {
        let owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        let deadline = ContinuousClock.now + wait
        var pause = Duration.milliseconds(5)
        var lock: KVLock?
        while lock == nil {
            lock = try await store.acquireLock("refresh:\(name)", in: Self.lockNamespace, ttl: lease, owner: owner)
            if lock != nil { break }
            guard ContinuousClock.now < deadline else {
                throw StoreError.invalidArgument("credential '\(name)' is being refreshed by another process for longer than \(wait)")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(250))
        }
        guard let lock else { throw CancellationError() }
        do {
            let current = try await secret(name)
            let next = try await body(current)
            if next != current {
                try await store.saveCredential(name, sealed: try seal(next, name: name), fence: lock)
            }
            _ = try? await store.releaseLock(lock)
            return next
        } catch {
            _ = try? await store.releaseLock(lock)
            throw error
        }
    }

    func seal(_ secret: Data, name: String) throws -> String {
        let box = try AES.GCM.seal(secret, using: key.key, authenticating: Data(name.utf8))
        guard let combined = box.combined else { throw StoreError.vaultCorrupt(name) }
        return combined.base64EncodedString()
    }

    func open(_ sealed: String, name: String) throws -> Data {
        guard let data = Data(base64Encoded: sealed),
              let box = try? AES.GCM.SealedBox(combined: data),
              let secret = try? AES.GCM.open(box, using: key.key, authenticating: Data(name.utf8)) else {
            throw StoreError.vaultCorrupt(name)
        }
        return secret
    }
}
