import Crypto
import Foundation

/// The 256-bit key that seals credentials at rest.
public struct VaultKey: Sendable {
    /// The environment variable holding the key (base64 of 32 bytes).
    public static let environmentVariable = "LUNAS_VAULT_KEY"

    /// The raw key bytes (SymmetricKey is not Sendable; one is made per use).
    private let bytes: Data

    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// A key from base64 text of 32 bytes.
    public init(base64: String) throws {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw StoreError.vaultKey("expected the base64 of 32 random bytes (make one with `openssl rand -base64 32`)")
        }
        bytes = data
    }

    /// A new random key.
    public static func generate() -> VaultKey {
        VaultKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    private init(bytes: Data) { self.bytes = bytes }

    /// The key as base64, to put in `LUNAS_VAULT_KEY` or a key file.
    public var base64: String { bytes.base64EncodedString() }

    /// The key from `LUNAS_VAULT_KEY`, else from `keyFile` (readable by its owner only).
    public static func load(environment: [String: String], keyFile: String? = nil) throws -> VaultKey {
        if let text = environment[environmentVariable], !text.isEmpty { return try VaultKey(base64: text) }
        guard let keyFile else {
            throw StoreError.vaultKey("set \(environmentVariable) or configure a key file")
        }
        guard let data = FileManager.default.contents(atPath: keyFile) else {
            throw StoreError.vaultKey("cannot read the key file \(keyFile)")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: keyFile),
           let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw StoreError.vaultKey("the key file \(keyFile) is readable by others; chmod 600 it")
        }
        return try VaultKey(base64: String(decoding: data, as: UTF8.self))
    }
}
