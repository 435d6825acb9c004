import AsyncHTTPClient
import Foundation
import ScalevModel

/// Signs a customer in to a store and keeps the token pair in the vault for
/// ``ScalevCredential/customer(_:)``: password login, then the OTP step when the store requires one.
public enum CustomerLogin {
    /// How a password login ended.
    public enum Outcome: Sendable, Equatable {
        /// Tokens are in the vault.
        case signedIn
        /// The store emailed a one-time code: finish with ``verifyOTP(email:otp:session:loginAs:configuration:http:vault:)``.
        case otpRequired(message: String)
    }

    /// Password login (`/public/auth/login`); stores the pair under the session's vault name.
    public static func logIn(
        email: String, password: String, session: CustomerSession, loginAs: String = "customer", configuration: ScalevClient.Configuration,
        http: HTTPClient, vault: any TokenVault
    ) async throws -> Outcome {
        let answer = try await post(
            "/v3/stores/\(session.storeID)/public/auth/login", ["email": .string(email), "password": .string(password), "login_as": .string(loginAs)],
            session: session, secrets: [password], configuration: configuration, http: http)
        guard let pair = TokenPair(answer: answer) else {
            return .otpRequired(message: answer["message"].stringValue ?? "the store sent a one-time code")
        }
        try await vault.save(session.vaultName, secret: pair.stored)
        return .signedIn
    }

    /// Completes an OTP login (`/public/auth/otp/verify`); stores the pair.
    public static func verifyOTP(
        email: String, otp: String, session: CustomerSession, loginAs: String = "customer", configuration: ScalevClient.Configuration,
        http: HTTPClient, vault: any TokenVault
    ) async throws {
        let path = "/v3/stores/\(session.storeID)/public/auth/otp/verify"
        let answer = try await post(
            path, ["email": .string(email), "otp": .string(otp), "login_as": .string(loginAs)], session: session, secrets: [otp],
            configuration: configuration, http: http)
        guard let pair = TokenPair(answer: answer) else {
            throw ScalevError(status: 200, code: "invalid_response", message: "the OTP answer carries no tokens", retryable: false, method: "POST", path: path)
        }
        try await vault.save(session.vaultName, secret: pair.stored)
    }

    /// Revokes the session's tokens (`/public/auth/jwt/blacklist`) and deletes them from the vault.
    public static func logOut(session: CustomerSession, configuration: ScalevClient.Configuration, http: HTTPClient, vault: any TokenVault) async throws {
        if let data = try await vault.secret(session.vaultName), let pair = TokenPair(stored: data) {
            _ = try await post(
                "/v3/stores/\(session.storeID)/public/auth/jwt/blacklist", ["tokens": [.string(pair.access), .string(pair.refresh)]], session: session,
                secrets: [pair.access, pair.refresh], configuration: configuration, http: http, expectsBody: false)
        }
        _ = try await vault.delete(session.vaultName)
    }

    private static func post(
        _ path: String, _ body: JSON, session: CustomerSession, secrets: [String], configuration: ScalevClient.Configuration, http: HTTPClient,
        expectsBody: Bool = true
    ) async throws -> JSON {
        let endpoint = TokenEndpoint(transport: Transport(http: http, maxBytes: 1 << 20), baseURL: configuration.baseURL, timeout: configuration.requestTimeout)
        let list = SecretList(secrets + [session.publishableKey])
        do {
            return try await endpoint.post(path, body: body, headers: [("X-Scalev-Storefront-Api-Key", session.publishableKey)], secrets: list)
        } catch let error as ScalevError where !expectsBody && error.code == "invalid_response" {
            return .null
        }
    }
}
