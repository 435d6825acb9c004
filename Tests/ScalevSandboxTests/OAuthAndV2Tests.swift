import Crypto
import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("OAuth and legacy v2", .testScope)
struct OAuthAndV2Tests {
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test("authorization code with PKCE S256, scopes enforced, rotation, reuse revokes, 1-hour expiry")
    func oauthFlow() async throws {
        let harness = try await SandboxHarness.start()
        let credentials = harness.credentials
        let verifier = "verifier-" + String(repeating: "abc", count: 15)
        let challenge = Self.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
        let redirect = credentials.oauthRedirectURI.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let authorizePath = "/v3/oauth/authorize?client_id=\(credentials.oauthClientID)&redirect_uri=\(redirect)&response_type=code&state=xyz&code_challenge=\(challenge)&code_challenge_method=S256&scope=order:list%20order:read"
        let redirected = try await harness.get(authorizePath, headers: [:])
        #expect(redirected.status == 302)
        let location = try #require(redirected.header("Location"))
        #expect(location.hasPrefix(credentials.oauthRedirectURI) && location.contains("state=xyz"))
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        #expect(try await harness.get(authorizePath.replacingOccurrences(of: "S256", with: "plain"), headers: [:]).status == 400)

        let token = "/v3/oauth/token"
        let client: JSON = ["client_id": .string(credentials.oauthClientID), "client_secret": .string(credentials.oauthClientSecret)]
        var exchange = client
        exchange["grant_type"] = "authorization_code"
        exchange["code"] = .string(code)
        exchange["redirect_uri"] = .string(credentials.oauthRedirectURI)
        exchange["code_verifier"] = "wrong-verifier-wrong-verifier-wrong-verifier"
        #expect(try await harness.post(token, exchange, headers: [:]).json["error_code"] == "invalid_grant")
        // The failed attempt consumed the code: authorize again.
        let code2 = try #require(URLComponents(string: try await harness.get(authorizePath, headers: [:]).header("Location") ?? "")?.queryItems?.first { $0.name == "code" }?.value)
        exchange["code"] = .string(code2)
        exchange["code_verifier"] = .string(verifier)
        let tokens = try await harness.post(token, exchange, headers: [:])
        #expect(tokens.status == 200 && tokens.json["expires_in"] == 3600 && tokens.json["token_type"] == "Bearer")
        let bearer = ["Authorization": "Bearer \(tokens.json["access_token"].textValue ?? "")"]
        #expect(try await harness.get("/v3/orders", headers: bearer).status == 200)
        #expect(try await harness.get("/v3/stores", headers: bearer).status == 403)
        #expect(try await harness.get("/v3/me", headers: bearer).json["auth_method"] == "oauth")
        #expect(try await harness.post(token, exchange, headers: [:]).status == 400)

        var refresh = client
        refresh["grant_type"] = "refresh_token"
        refresh["refresh_token"] = tokens.json["refresh_token"]
        let rotated = try await harness.post(token, refresh, headers: [:])
        #expect(rotated.status == 200 && rotated.json["refresh_token"] != tokens.json["refresh_token"])
        #expect(try await harness.post(token, refresh, headers: [:]).status == 400)
        let newBearer = ["Authorization": "Bearer \(rotated.json["access_token"].textValue ?? "")"]
        #expect(try await harness.get("/v3/orders", headers: newBearer).status == 401)

        // A fresh grant expires after an hour of simulated time.
        let code3 = try #require(URLComponents(string: try await harness.get(authorizePath, headers: [:]).header("Location") ?? "")?.queryItems?.first { $0.name == "code" }?.value)
        exchange["code"] = .string(code3)
        let third = try await harness.post(token, exchange, headers: [:]).json
        let thirdBearer = ["Authorization": "Bearer \(third["access_token"].textValue ?? "")"]
        #expect(try await harness.get("/v3/orders", headers: thirdBearer).status == 200)
        try await harness.advanceClock(3601)
        #expect(try await harness.get("/v3/orders", headers: thirdBearer).json["error_code"] == "token_expired")
    }

    @Test("v2 envelope, last_id and page pagination, 30 per 5 s per client")
    func legacyV2() async throws {
        // Scalev's v2 window is 30 per 5 s; a 60 s window keeps the count exact on a loaded machine.
        #expect(SandboxConfiguration.scalevV2Limits == [RateWindow(length: .seconds(5), limit: 30)])
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 60, v2RateLimits: [RateWindow(length: .seconds(60), limit: 30)]))
        let first = try await harness.get("/v2/orders?page_size=10").json
        #expect(first["code"] == 200 && first["status"] == "Success")
        let lastID = try #require(first["data"]["last_id"].textValue)
        let second = try await harness.get("/v2/orders?page_size=10&last_id=\(lastID)").json
        let a = first["data"]["results"].arrayValue?.compactMap { $0["id"].textValue } ?? []
        let b = second["data"]["results"].arrayValue?.compactMap { $0["id"].textValue } ?? []
        #expect(a.count == 10 && b.count == 10 && Set(a).isDisjoint(with: b) && (b.first ?? "") < (a.last ?? ""))
        let products = try await harness.get("/v2/products?page=2&page_size=5").json["data"]
        #expect(products["page"] == 2 && products["results"].arrayValue?.count == 2)
        #expect(try await harness.get("/v2/stores").json["data"]["results"].arrayValue?.count == 3)
        let created = try await harness.post("/v2/order", try await harness.digitalOrderBody())
        #expect(created.status == 201 && created.json["code"] == 201)
        let invalid = try await harness.post("/v2/order", ["customer_name": "x"])
        #expect(invalid.status == 422 && invalid.json["details"]["store_unique_id"].arrayValue != nil)
        for _ in 0..<24 { _ = try await harness.get("/v2/bundles") }
        let limited = try await harness.get("/v2/bundles")
        #expect(limited.status == 429 && limited.header("X-Ratelimit-Limit") == "30")
    }
}
