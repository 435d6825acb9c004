import Crypto
import Foundation
import ScalevModel

/// OAuth 2.0 authorization code with PKCE (S256 only): a test-friendly authorize step that approves
/// at once, token exchange, refresh with rotation (reuse revokes the family), introspection,
/// revocation and the discovery documents. Access tokens last one hour, refresh tokens 30 days.
enum OAuthRoutes {
    static let accessLifetime: Double = 3600
    static let refreshLifetime: Double = 30 * 86_400
    static let codeLifetime: Double = 600

    static func register(_ registry: inout RouteRegistry) {
        registry.open("GET", "/v3/oauth/.well-known/oauth-authorization-server") { _, state in
            let base = state.publicBase
            return .ok([
                "issuer": .string("\(base)/v3/oauth"), "authorization_endpoint": .string("\(base)/v3/oauth/authorize"),
                "token_endpoint": .string("\(base)/v3/oauth/token"), "registration_endpoint": .string("\(base)/v3/oauth/register"),
                "introspection_endpoint": .string("\(base)/v3/oauth/introspect"), "revocation_endpoint": .string("\(base)/v3/oauth/revoke"),
                "response_types_supported": ["code"], "grant_types_supported": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
                "code_challenge_methods_supported": ["S256"], "client_id_metadata_document_supported": false,
            ])
        }
        registry.open("GET", "/v3/oauth/scopes") { _, state in
            .ok(.object(Dictionary(uniqueKeysWithValues: OperationScopes.all(state).sorted().map { ($0, JSON.string("Allows \($0)")) })))
        }
        registry.open("GET", "/v3/oauth/application") { request, state in
            guard let client = state.oauthClients[request.query["client_id"] ?? ""] else { throw oauthError(400, "invalid_client", "Unknown client_id") }
            if let uri = request.query["redirect_uri"], !client.redirectURIs.contains(uri) {
                throw oauthError(400, "invalid_request", "redirect_uri does not match the registered value")
            }
            return .ok(["client_id": .string(client.clientID), "name": .string(client.name), "description": .null, "logo_url": .null,
                "homepage_url": .null, "redirect_uri": .string(client.redirectURIs.first ?? "")])
        }
        registry.open("GET", "/v3/oauth/authorize") { request, state in try authorize(request, &state) }
        registry.open("POST", "/v3/oauth/register", required: ["redirect_uris"]) { request, state in
            guard let uris = request.body("redirect_uris").arrayValue?.compactMap(\.textValue), !uris.isEmpty else {
                throw APIError.invalid("redirect_uris", "must be a non-empty list of URIs")
            }
            let method = request.body("token_endpoint_auth_method").textValue ?? "none"
            let client = OAuthClient(
                clientID: "app_" + state.random.string(20), clientSecret: method == "none" ? nil : "appsecret_" + state.secrets.string(32),
                name: request.body("client_name").textValue ?? "Registered App", redirectURIs: uris, availableScopes: OperationScopes.all(state).sorted())
            state.oauthClients[client.clientID] = client
            return .created([
                "client_id": .string(client.clientID), "client_secret": client.clientSecret.json, "client_id_issued_at": .int(Int(request.now)),
                "redirect_uris": .array(uris.map(JSON.string)), "client_name": .string(client.name), "token_endpoint_auth_method": .string(method),
                "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            ])
        }
        registry.open("POST", "/v3/oauth/token") { request, state in try token(request, &state) }
        registry.open("POST", "/v3/oauth/revoke") { request, state in
            _ = try client(request, state)
            let token = request.body("token").textValue ?? ""
            if let grant = state.oauthAccessTokens[token] ?? state.oauthRefreshTokens[token] { state.oauthRevokedFamilies.insert(grant.family) }
            return .noContent
        }
        registry.open("POST", "/v3/oauth/introspect") { request, state in
            _ = try client(request, state)
            let token = request.body("token").textValue ?? ""
            guard let grant = state.oauthAccessTokens[token] ?? state.oauthRefreshTokens[token], !grant.used,
                grant.expiresAt > request.now, !state.oauthRevokedFamilies.contains(grant.family)
            else { return .ok(["active": false]) }
            return .ok(["active": true, "client_id": .string(grant.clientID), "scope": .string(grant.scopes.joined(separator: " ")),
                "exp": .int(Int(grant.expiresAt)), "token_type": state.oauthAccessTokens[token] != nil ? "access" : "refresh"])
        }
        registry.business("GET", "/v3/oauth/applications/me") { request, state in
            guard let clientID = request.businessCaller?.clientID, let client = state.oauthClients[clientID] else {
                throw APIError.forbidden("Only an OAuth access token can ask for its application", code: "oauth_token_required")
            }
            return .ok(["client_id": .string(clientID), "name": .string(client.name), "description": .null, "logo_url": .null,
                "homepage_url": .null, "redirect_uri": .string(client.redirectURIs.first ?? ""),
                "available_scopes": .array(client.availableScopes.map(JSON.string)), "webhook_status": "inactive", "webhook_events": []])
        }
    }

    static func oauthError(_ status: Int, _ code: String, _ message: String) -> APIError {
        APIError(status: status, message: message, code: code)
    }

    /// Approves at once: 302 to `redirect_uri?code=…&state=…`, or that as JSON when the client asks
    /// for `application/json`.
    static func authorize(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let query = request.query
        guard let client = state.oauthClients[query["client_id"] ?? ""] else { throw oauthError(400, "invalid_client", "Unknown client_id") }
        guard let redirect = query["redirect_uri"], client.redirectURIs.contains(redirect) else {
            throw oauthError(400, "invalid_request", "redirect_uri does not match the registered value")
        }
        guard query["response_type"] == "code" else { throw oauthError(400, "invalid_request", "response_type must be code") }
        guard query["code_challenge_method"] == "S256" else { throw oauthError(400, "invalid_request", "code_challenge_method must be S256") }
        guard let challenge = query["code_challenge"], challenge.count >= 43 else {
            throw oauthError(400, "invalid_request", "code_challenge is required (base64url SHA-256 of the verifier)")
        }
        let requested = (query["scope"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let unknown = requested.filter { !client.availableScopes.contains($0) }
        if !unknown.isEmpty { throw oauthError(400, "invalid_scope", "Unknown scopes: \(unknown.joined(separator: " "))") }
        let code = "code_" + state.secrets.string(32)
        state.oauthCodes[code] = OAuthCode(
            clientID: client.clientID, redirectURI: redirect, codeChallenge: challenge,
            scopes: requested.isEmpty ? client.availableScopes : requested, expiresAt: request.now + codeLifetime)
        var location = redirect + (redirect.contains("?") ? "&" : "?") + "code=\(code)"
        if let value = query["state"] {
            location += "&state=" + (value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? value)
        }
        if (request.headers["accept"] ?? "").contains("application/json") {
            return .ok(["code": .string(code), "state": query["state"].json, "redirect_to": .string(location)])
        }
        return SandboxReply(status: 302, body: .empty, headers: [("Location", location)])
    }

    static func client(_ request: SandboxRequest, _ state: SandboxState) throws -> OAuthClient {
        var clientID = request.body("client_id").textValue
        var secret = request.body("client_secret").textValue
        if let header = request.headers["authorization"], header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6))), let pair = String(data: data, encoding: .utf8)
        {
            let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
            clientID = parts.first
            secret = parts.count > 1 ? parts[1] : nil
        }
        guard let clientID, let client = state.oauthClients[clientID] else { throw oauthError(401, "invalid_client", "Unknown client") }
        if let expected = client.clientSecret, expected != secret { throw oauthError(401, "invalid_client", "Client authentication failed") }
        return client
    }

    static func token(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        guard let grantType = request.body("grant_type").textValue else { throw oauthError(400, "invalid_request", "grant_type is required") }
        let client = try client(request, state)
        switch grantType {
        case "authorization_code":
            guard let code = request.body("code").textValue, let grant = state.oauthCodes.removeValue(forKey: code) else {
                throw oauthError(400, "invalid_grant", "Unknown or already used authorization code")
            }
            guard grant.clientID == client.clientID else { throw oauthError(400, "invalid_grant", "Code was issued to another client") }
            guard grant.expiresAt > request.now else { throw oauthError(400, "invalid_grant", "Authorization code has expired") }
            guard request.body("redirect_uri").textValue == grant.redirectURI else { throw oauthError(400, "invalid_grant", "redirect_uri does not match") }
            guard let verifier = request.body("code_verifier").textValue, challenge(verifier) == grant.codeChallenge else {
                throw oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge")
            }
            return .ok(issue(client: client.clientID, scopes: grant.scopes, family: state.random.uuidV4(), state: &state, now: request.now))
        case "refresh_token":
            guard let token = request.body("refresh_token").textValue, var grant = state.oauthRefreshTokens[token], grant.clientID == client.clientID else {
                throw oauthError(400, "invalid_grant", "Unknown refresh token")
            }
            if state.oauthRevokedFamilies.contains(grant.family) { throw oauthError(400, "invalid_grant", "Refresh token has been revoked") }
            if grant.used {
                state.oauthRevokedFamilies.insert(grant.family)
                throw oauthError(400, "invalid_grant", "Refresh token was already used; the grant is revoked")
            }
            if grant.expiresAt <= request.now { throw oauthError(400, "invalid_grant", "Refresh token has expired") }
            grant.used = true
            state.oauthRefreshTokens[token] = grant
            return .ok(issue(client: client.clientID, scopes: grant.scopes, family: grant.family, state: &state, now: request.now))
        default:
            throw oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        }
    }

    /// base64url(SHA-256(verifier)) without padding.
    static func challenge(_ verifier: String) -> String {
        CustomerTokens.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func issue(client: String, scopes: [String], family: String, state: inout SandboxState, now: Double) -> JSON {
        let access = "oat_" + state.secrets.string(40)
        let refresh = "ort_" + state.secrets.string(40)
        state.oauthAccessTokens[access] = OAuthToken(clientID: client, scopes: scopes, family: family, expiresAt: now + accessLifetime)
        state.oauthRefreshTokens[refresh] = OAuthToken(clientID: client, scopes: scopes, family: family, expiresAt: now + refreshLifetime)
        return ["access_token": .string(access), "refresh_token": .string(refresh), "token_type": "Bearer",
            "expires_in": .int(Int(accessLifetime)), "scope": .string(scopes.joined(separator: " "))]
    }
}
