import Foundation
import LunasStore
import LunasTesting
@testable import Scalev
import Testing

@Suite("Customer sessions", .testScope)
struct CustomerTests {
    @Test("password login, OTP login, wrong password")
    func logins() async throws {
        let sandbox = try await TestSandbox.start()
        let c = sandbox.credentials
        let (vault, _) = try await sandbox.vault(key: .generate())
        let session = CustomerSession(vaultName: "customer/buyer", storeID: c.storeUniqueID, publishableKey: c.storefrontKey)
        let outcome = try await CustomerLogin.logIn(
            email: c.customerEmail, password: c.customerPassword, session: session, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        #expect(outcome == .signedIn)
        let pacer = RecordingPacer()
        let client = sandbox.client(.customer(session), vault: vault, pacer: pacer)
        let me = try await client.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/customers/me"), context: sandbox.context())
        #expect(me.value["customer"]["email"] == .string(c.customerEmail))
        #expect(pacer.admits.first?.family == .storefront)

        let otpSession = CustomerSession(vaultName: "customer/otp", storeID: c.otpStoreUniqueID, publishableKey: c.otpStorefrontKey)
        let pending = try await CustomerLogin.logIn(
            email: c.otpCustomerEmail, password: c.customerPassword, session: otpSession, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        guard case .otpRequired = pending else { Issue.record("expected an OTP step"); return }
        let query = ScalevClient.encodeQuery([("store_id", c.otpStoreUniqueID), ("email", c.otpCustomerEmail)])
        let otp = try #require(try await sandbox.raw("GET", "/_sandbox/otp?" + query).json["otp"].stringValue)
        try await CustomerLogin.verifyOTP(email: c.otpCustomerEmail, otp: otp, session: otpSession, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        let otpClient = sandbox.client(.customer(otpSession), vault: vault)
        let otpMe = try await otpClient.send(ScalevRequest(method: "GET", path: "/v3/stores/\(c.otpStoreUniqueID)/customers/me"), context: sandbox.context())
        #expect(otpMe.value["customer"]["email"] == .string(c.otpCustomerEmail))

        let wrong = await sandbox.expectError {
            _ = try await CustomerLogin.logIn(
                email: c.customerEmail, password: "wrong-password-123", session: session, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        }
        sandbox.addSecret("wrong-password-123")
        #expect(wrong?.status == 401 && wrong?.code == "invalid_credentials")
        try await sandbox.stop()
    }

    @Test("two processes refreshing one session at once: one rotates, the other takes its tokens; the family survives")
    func concurrentRefresh() async throws {
        let sandbox = try await TestSandbox.start()
        let c = sandbox.credentials
        let key = VaultKey.generate()
        let (vaultA, file) = try await sandbox.vault(key: key)
        let (vaultB, _) = try await sandbox.vault(path: file, key: key)
        let session = CustomerSession(vaultName: "customer/shared", storeID: c.storeUniqueID, publishableKey: c.storefrontKey)
        #expect(try await CustomerLogin.logIn(
            email: c.customerEmail, password: c.customerPassword, session: session, configuration: sandbox.configuration(), http: sandbox.http, vault: vaultA) == .signedIn)
        let login = try #require(try await vaultB.secret(session.vaultName).flatMap(TokenPair.init(stored:)))
        let a = sandbox.client(.customer(session), vault: vaultA)
        let b = sandbox.client(.customer(session), vault: vaultB)
        let me = ScalevRequest(method: "GET", path: sandbox.storePath + "/customers/me")
        #expect(try await a.send(me, context: sandbox.context()).status == 200)
        #expect(try await b.send(me, context: sandbox.context()).status == 200)

        try await sandbox.advanceClock(1000)  // access tokens (15 min) expire; both still hold the login pair
        async let fromA = a.send(me, context: sandbox.context(script: "a.lua"))
        async let fromB = b.send(me, context: sandbox.context(script: "b.lua"))
        let (answerA, answerB) = try await (fromA, fromB)
        #expect(answerA.status == 200 && answerB.status == 200)
        let rotated = try #require(try await vaultA.secret(session.vaultName).flatMap(TokenPair.init(stored:)))
        #expect(rotated.refresh != login.refresh)
        #expect(sandbox.log.all.filter { $0.contains("401 on GET \(sandbox.storePath)/customers/me: refreshing") }.count == 2)

        // Not revoked: both keep working, and a third process starting from the vault too.
        #expect(try await a.send(me, context: sandbox.context()).status == 200)
        #expect(try await b.send(me, context: sandbox.context()).status == 200)
        let c3 = sandbox.client(.customer(session), vault: vaultB)
        #expect(try await c3.send(me, context: sandbox.context()).status == 200)
        // The vault holds the family's live refresh token.
        let refreshed = try await sandbox.raw(
            "POST", sandbox.storePath + "/public/auth/jwt/refresh", body: ["refresh": .string(rotated.refresh)],
            headers: [("X-Scalev-Storefront-Api-Key", c.storefrontKey)])
        #expect(refreshed.status == 200)
        try await sandbox.stop()
    }
}
