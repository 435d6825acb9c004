import Crypto
import Foundation

/// Scalev's webhook signature: `X-Scalev-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body
/// under the business's signing secret. The sandbox signs its deliveries with it; receivers verify
/// the bytes as received, before parsing.
public enum WebhookSignature {
    /// The header carrying the signature.
    public static let header = "X-Scalev-Hmac-Sha256"

    /// Whether `signature` is the signature of `body` under `secret` (constant-time comparison).
    public static func isValid(body: some DataProtocol, signature: String, secret: String) -> Bool {
        guard let expected = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: body, using: key(secret))
    }

    /// The signature of `body` under `secret`: `base64(HMAC_SHA256(secret, body))`.
    public static func signature(body: some DataProtocol, secret: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: key(secret))).base64EncodedString()
    }

    private static func key(_ secret: String) -> SymmetricKey { SymmetricKey(data: Data(secret.utf8)) }
}
