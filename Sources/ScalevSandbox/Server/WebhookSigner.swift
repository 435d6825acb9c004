import Crypto
import Foundation

/// Scalev's webhook signature: base64 of HMAC-SHA256 over the raw body, keyed by the signing secret,
/// sent as `X-Scalev-Hmac-Sha256`.
public enum WebhookSigner {
    /// The header carrying the signature.
    public static let header = "X-Scalev-Hmac-Sha256"

    /// `base64(HMAC_SHA256(secret, body))`.
    public static func signature(secret: String, body: some DataProtocol) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return Data(code).base64EncodedString()
    }

    /// Whether `signature` is the body's signature, compared in constant time.
    public static func verify(signature: String, secret: String, body: some DataProtocol) -> Bool {
        guard let given = Data(base64Encoded: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }
}
