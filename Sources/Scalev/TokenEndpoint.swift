import Foundation
import ScalevModel

/// The token routes: OAuth `/v3/oauth/token` and the storefront customer auth routes. One
/// attempt each, never retried blindly: a refresh token is single use.
struct TokenEndpoint: Sendable {
    let transport: Transport
    let baseURL: String
    let timeout: Duration

    /// Posts `body` to `path` and returns the parsed answer, or throws a ``ScalevError``.
    func post(_ path: String, body: JSON, headers: [(String, String)] = [], secrets: SecretList) async throws -> JSON {
        let result = await transport.perform(url: baseURL + path, method: "POST", headers: headers, body: body.encoded(), timeout: timeout)
        switch result {
        case .failure(let failure):
            if failure.kind == .cancelled { throw CancellationError() }
            throw ScalevError(
                status: nil, code: failure.kind == .timeout ? "timeout" : "connection_error", message: secrets.redact(failure.message),
                retryable: true, method: "POST", path: path)
        case .success(let answer):
            guard (200...299).contains(answer.status) else {
                var error = ScalevError(status: answer.status, body: answer.body, method: "POST", path: path)
                error.message = secrets.redact(error.message)
                throw error
            }
            do {
                return try JSON(parsing: answer.body)
            } catch {
                throw ScalevError(status: answer.status, code: "invalid_response", message: "the token answer is not JSON", retryable: false, method: "POST", path: path)
            }
        }
    }

    /// Refreshes an OAuth pair (`grant_type=refresh_token`); the answer rotates both tokens.
    func refreshOAuth(_ refresh: String, installation: OAuthInstallation, secrets: SecretList) async throws -> TokenPair {
        var body: [String: JSON] = ["grant_type": "refresh_token", "refresh_token": .string(refresh), "client_id": .string(installation.clientID)]
        if let secret = installation.clientSecret { body["client_secret"] = .string(secret) }
        let answer = try await post("/v3/oauth/token", body: .object(body), secrets: secrets)
        guard let pair = TokenPair(answer: answer) else {
            throw ScalevError(status: 200, code: "invalid_response", message: "the token answer has no access_token/refresh_token", retryable: false, method: "POST", path: "/v3/oauth/token")
        }
        return pair
    }

    /// Refreshes a customer pair (`/public/auth/jwt/refresh`); the refresh token rotates.
    func refreshCustomer(_ refresh: String, session: CustomerSession, secrets: SecretList) async throws -> TokenPair {
        let path = "/v3/stores/\(session.storeID)/public/auth/jwt/refresh"
        let answer = try await post(path, body: ["refresh": .string(refresh)], headers: [("X-Scalev-Storefront-Api-Key", session.publishableKey)], secrets: secrets)
        guard let pair = TokenPair(answer: answer) else {
            throw ScalevError(status: 200, code: "invalid_response", message: "the token answer has no access/refresh", retryable: false, method: "POST", path: path)
        }
        return pair
    }
}
