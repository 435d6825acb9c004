import AsyncHTTPClient
import Crypto
import Foundation
import ScalevModel

/// The OAuth authorization-code flow with PKCE (S256): build the URL the merchant opens, then
/// exchange the code the redirect brings back for tokens kept in the vault.
///
/// ```swift
/// let authorization = OAuthAuthorization(clientID: id, redirectURI: "http://127.0.0.1:8765/callback")
/// print("Open", authorization.url)
/// // ... the redirect arrives with ?code=…&state=…
/// try await authorization.exchange(code: code, returnedState: state, installation: installation,
///                                  configuration: configuration, http: http, vault: vault)
/// ```
public struct OAuthAuthorization: Sendable {
    /// Scalev's authorization page (its metadata document names the app host).
    public static let scalevAuthorizeEndpoint = "https://app.scalev.com/oauth/authorize"

    /// The URL to open in a browser.
    public let url: String
    /// The `state` sent; the redirect must bring it back unchanged.
    public let state: String
    /// The PKCE verifier (keep it until the exchange).
    public let codeVerifier: String
    /// The app's client id.
    public let clientID: String
    /// The registered redirect URI.
    public let redirectURI: String

    /// A new authorization request with a fresh verifier and state.
    ///
    /// - Parameters:
    ///   - scopes: the scopes to ask for (space-separated on the wire); empty = the app's all.
    ///   - authorizeEndpoint: the authorization page (the sandbox serves `<base>/v3/oauth/authorize`).
    public init(
        clientID: String, redirectURI: String, scopes: [String] = [], authorizeEndpoint: String = OAuthAuthorization.scalevAuthorizeEndpoint,
        resource: String? = nil
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        codeVerifier = Self.randomToken(bytes: 32)
        state = Self.randomToken(bytes: 16)
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("state", state),
            ("code_challenge", Self.challenge(for: codeVerifier)), ("code_challenge_method", "S256"),
        ]
        if !scopes.isEmpty { query.append(("scope", scopes.joined(separator: " "))) }
        if let resource { query.append(("resource", resource)) }
        url = authorizeEndpoint + (authorizeEndpoint.contains("?") ? "&" : "?") + ScalevClient.encodeQuery(query)
    }

    /// Exchanges the code for an access/refresh pair and stores it in the vault under the
    /// installation's name.
    ///
    /// - Parameter returnedState: the `state` the redirect carried; a mismatch is refused.
    @discardableResult
    public func exchange(
        code: String, returnedState: String? = nil, installation: OAuthInstallation, configuration: ScalevClient.Configuration,
        http: HTTPClient, vault: any TokenVault
    ) async throws -> OAuthGrant {
        let path = "/v3/oauth/token"
        if let returnedState, returnedState != state {
            throw ScalevError(status: nil, code: "invalid_state", message: "the redirect's state does not match this authorization request", retryable: false, method: "POST", path: path)
        }
        var body: [String: JSON] = [
            "grant_type": "authorization_code", "code": .string(code), "code_verifier": .string(codeVerifier),
            "redirect_uri": .string(redirectURI), "client_id": .string(installation.clientID),
        ]
        if let secret = installation.clientSecret { body["client_secret"] = .string(secret) }
        let secrets = SecretList([code, codeVerifier, installation.clientSecret ?? ""])
        let endpoint = TokenEndpoint(transport: Transport(http: http, maxBytes: 1 << 20), baseURL: configuration.baseURL, timeout: configuration.requestTimeout)
        let answer = try await endpoint.post(path, body: .object(body), secrets: secrets)
        guard let pair = TokenPair(answer: answer) else {
            throw ScalevError(status: 200, code: "invalid_response", message: "the token answer has no access_token/refresh_token", retryable: false, method: "POST", path: path)
        }
        try await vault.save(installation.vaultName, secret: pair.stored)
        let scopes = answer["scope"].stringValue?.split(separator: " ").map(String.init) ?? []
        return OAuthGrant(scopes: scopes, expiresIn: Int(answer["expires_in"].integerValue ?? 0))
    }

    /// The `code` and `state` of a redirect URL (`…/callback?code=…&state=…`).
    public static func parameters(ofRedirect url: String) -> (code: String?, state: String?) {
        let items = URLComponents(string: url)?.queryItems ?? []
        return (items.first { $0.name == "code" }?.value, items.first { $0.name == "state" }?.value)
    }

    /// base64url(SHA-256(verifier)) without padding.
    static func challenge(for verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// What an OAuth exchange granted (the tokens themselves went to the vault).
public struct OAuthGrant: Sendable, Equatable {
    /// The granted scopes, when the server listed them.
    public var scopes: [String]
    /// The access token's lifetime in seconds.
    public var expiresIn: Int
}
