import Crypto
import Foundation

/// Scalev's webhook signature: `X-Scalev-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body
/// under the business's signing secret. Verify the bytes as received, before parsing.
public enum WebhookSignature {
    /// The header carrying the signature.
    public static let header = "X-Scalev-Hmac-Sha256"

    /// Whether `signature` is the signature of `body` under `secret` (constant-time comparison).
    public static func isValid(body: [UInt8], signature: String, secret: String) -> Bool {
        guard let expected = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)) else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: key)
    }

    /// The signature of `body` under `secret` (for tests and local senders).
    public static func signature(body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }
}
