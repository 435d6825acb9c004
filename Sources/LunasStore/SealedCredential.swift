/// A credential as the vault keeps it: encrypted (AES-GCM, nonce and tag included), base64.
public struct SealedCredential: Sendable, Equatable {
    /// The credential's name (`scalev:main`, `oauth:store-42`).
    public var name: String
    /// The sealed box, base64-encoded.
    public var sealed: String
    /// The store-wide version of the write that stored it.
    public var version: Int64

    /// A sealed credential.
    public init(name: String, sealed: String, version: Int64) {
        self.name = name
        self.sealed = sealed
        self.version = version
    }
}
