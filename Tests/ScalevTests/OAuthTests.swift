import Foundation
import LunasStore
import LunasTesting
@testable import Scalev
import Testing

@Suite("OAuth installations", .testScope)
struct OAuthTests {
    @Test("authorization code + PKCE into a SQLite vault; refreshed before expiry and on 401; rotation kept; b_uid sent")
    func oauthLifecycle() async throws {
        let sandbox = try await TestSandbox.start()
        let credentials = sandbox.credentials
        let (vault, _) = try await sandbox.vault(key: .generate())
        let authorization = OAuthAuthorization(
            clientID: credentials.oauthClientID, redirectURI: credentials.oauthRedirectURI, scopes: ["order:list", "order:read"],
            authorizeEndpoint: sandbox.sandbox.baseURL + "/v3/oauth/authorize")
        #expect(authorization.url.contains("code_challenge_method=S256") && authorization.url.contains("scope=order%3Alist%20order%3Aread"))
        let approved = try await sandbox.raw("GET", String(authorization.url.dropFirst(sandbox.sandbox.baseURL.count)), headers: [("Accept", "application/json")])
        #expect(approved.status == 200)
        let redirect = try #require(approved.json["redirect_to"].stringValue)
        let (code, state) = OAuthAuthorization.parameters(ofRedirect: redirect)
        #expect(state == authorization.state)
        let me = try await sandbox.raw("GET", "/v3/me", headers: [("Authorization", "Bearer \(credentials.businessKey)")]).json
        let businessID = me["connected_businesses"][0]?["unique_id"].stringValue ?? me["business"]["unique_id"].stringValue ?? "business_unknown"
        let installation = OAuthInstallation(vaultName: "oauth/test-app", clientID: credentials.oauthClientID, clientSecret: credentials.oauthClientSecret, businessID: businessID)
        let wrongState = await sandbox.expectError {
            try await authorization.exchange(code: code ?? "", returnedState: "forged", installation: installation, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        }
        #expect(wrongState?.code == "invalid_state")
        let grant = try await authorization.exchange(
            code: try #require(code), returnedState: state, installation: installation, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        #expect(grant.scopes == ["order:list", "order:read"] && grant.expiresIn == 3600)
        let first = try #require(try await vault.secret(installation.vaultName).flatMap(TokenPair.init(stored:)))

        let pacer = RecordingPacer()
        let client = sandbox.client(.oauth(installation), vault: vault, pacer: pacer)
        let list = ScalevRequest(method: "GET", path: "/v3/orders", query: [("page_size", "1")])
        #expect(try await client.send(list, context: sandbox.context()).status == 200)
        #expect(sandbox.log.all.contains { $0.contains("b_uid=\(businessID)") })
        #expect(pacer.admits.first == BudgetKey(family: .business, identity: "oauth:oauth/test-app:\(businessID)"))
        let scoped = await sandbox.expectError { _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/products"), context: sandbox.context()) }
        #expect(scoped?.status == 403)

        // About to expire: a fresh client refreshes before using it, and the rotated pair is kept.
        var expiring = first
        expiring.expiresAt = Date().timeIntervalSince1970 + 10
        try await vault.save(installation.vaultName, secret: expiring.stored)
        let second = sandbox.client(.oauth(installation), vault: vault)
        #expect(try await second.send(list, context: sandbox.context()).status == 200)
        let rotated = try #require(try await vault.secret(installation.vaultName).flatMap(TokenPair.init(stored:)))
        #expect(rotated.refresh != first.refresh && rotated.access != first.access)

        // Expired on the server while the vault still thinks it valid: one 401, one refresh, success.
        try await sandbox.advanceClock(3700)
        #expect(try await second.send(list, context: sandbox.context()).status == 200)
        let again = try #require(try await vault.secret(installation.vaultName).flatMap(TokenPair.init(stored:)))
        #expect(again.refresh != rotated.refresh)
        #expect(sandbox.log.all.contains { $0.contains("401 on GET /v3/orders: refreshing") })

        // The first client still holds the first pair: after its 401 it takes the vault's newer
        // pair instead of presenting a used refresh token (which would revoke the grant).
        #expect(try await client.send(list, context: sandbox.context()).status == 200)
        #expect(try await second.send(list, context: sandbox.context()).status == 200)
        #expect(try await vault.secret(installation.vaultName).flatMap(TokenPair.init(stored:)) == again)
        #expect(client.secrets.contains(again.access) && client.secrets.contains(credentials.oauthClientSecret))

        let empty = sandbox.client(.oauth(OAuthInstallation(vaultName: "oauth/none", clientID: "x", clientSecret: nil)), vault: vault)
        let unavailable = await sandbox.expectError { _ = try await empty.send(list, context: sandbox.context()) }
        #expect(unavailable?.code == "credential_unavailable" && unavailable?.path == "/v3/orders")
        try await sandbox.stop()
    }
}
