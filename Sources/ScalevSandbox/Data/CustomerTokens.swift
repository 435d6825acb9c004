import Crypto
import Foundation
import ScalevModel

/// Customer access tokens: HS256 JWTs (`sub` customer id, `store` unique id, `fam` token family,
/// `exp`), valid 15 minutes; refresh tokens are opaque, single-use, 30 days.
enum CustomerTokens {
    static let accessLifetime: Double = 900
    static let refreshLifetime: Double = 2_592_000

    static func key(_ state: SandboxState) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Data(("jwt:" + state.credentials.businessKey).utf8)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ text: Substring) -> Data? {
        var text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }

    static func accessToken(state: inout SandboxState, customerID: Int, store: String, family: String, now: Double) -> String {
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims: JSON = [
            "sub": .string(String(customerID)), "store": .string(store), "fam": .string(family), "typ": "access",
            "iat": .int(Int(now)), "exp": .int(Int(now + accessLifetime)), "jti": .string(state.random.string(12)),
        ]
        let payload = base64URL(Data(claims.encoded()))
        let signature = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: key(state))
        return "\(header).\(payload).\(base64URL(Data(signature)))"
    }

    /// The session in a valid access token; throws 401 otherwise.
    static func verify(_ token: String, state: SandboxState, now: Double) throws -> CustomerSession {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = fromBase64URL(parts[2]),
            HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Data("\(parts[0]).\(parts[1])".utf8), using: key(state)),
            let payload = fromBase64URL(parts[1]), let claims = JSON.parse(payload),
            let customer = claims["sub"].intValue, let store = claims["store"].textValue,
            let family = claims["fam"].textValue, let expiry = claims["exp"].doubleValue
        else { throw APIError.unauthorized("Invalid token", code: "invalid_token") }
        if expiry <= now { throw APIError.unauthorized("Token has expired", code: "token_expired") }
        if state.revokedFamilies.contains(family) || state.blacklistedAccess.contains(token) {
            throw APIError.unauthorized("Token has been revoked", code: "token_revoked")
        }
        return CustomerSession(customerID: customer, storeUniqueID: store, family: family)
    }

    /// A fresh access/refresh pair in `family`, as the login and refresh routes answer it.
    static func issue(state: inout SandboxState, customerID: Int, store: String, family: String, now: Double) -> JSON {
        let access = accessToken(state: &state, customerID: customerID, store: store, family: family, now: now)
        let refresh = "rt_" + state.secrets.string(40)
        state.refreshTokens[refresh] = RefreshTokenRecord(
            family: family, customerID: customerID, storeUniqueID: store, expiresAt: now + refreshLifetime, used: false)
        return [
            "access": .string(access), "refresh": .string(refresh), "token_type": "Bearer",
            "expires_in": .int(Int(accessLifetime)), "refresh_expires_in": .int(Int(refreshLifetime)),
            "store_unique_id": .string(store),
        ]
    }
}
