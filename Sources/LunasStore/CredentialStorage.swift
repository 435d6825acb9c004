/// The rows behind ``CredentialVault``: sealed credentials, which the store never decrypts.
public protocol CredentialStorage: Sendable {
    /// The sealed credential, or `nil`.
    func loadCredential(_ name: String) async throws -> SealedCredential?
    /// Stores a sealed credential; with a fence, only while that lock is held. Returns the version.
    @discardableResult
    func saveCredential(_ name: String, sealed: String, fence: KVLock?) async throws -> Int64
    /// Deletes a credential; returns whether it existed.
    func deleteCredential(_ name: String) async throws -> Bool
}
