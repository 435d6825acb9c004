import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

/// Keys, passwords and secrets are random per start (issue 16): a client that sees the data, or
/// knows the data's seed, cannot work them out; a key seed makes them known, for tests.
@Suite("Sandbox keys", .testScope)
struct SandboxKeyTests {
    /// Every secret of a sandbox's credentials.
    static func secrets(_ credentials: SandboxCredentials) -> [String] {
        [credentials.businessKey, credentials.restrictedKey, credentials.storefrontKey, credentials.otpStorefrontKey,
         credentials.customerPassword, credentials.webhookSecret, credentials.oauthClientSecret]
    }

    @Test("two starts of one configuration show a client the same data and hold different keys")
    func randomPerStart() async throws {
        let a = try await SandboxHarness.start()
        let b = try await SandboxHarness.start()
        #expect(a.credentials.storeUniqueID == b.credentials.storeUniqueID && a.credentials.oauthClientID == b.credentials.oauthClientID)
        for (mine, theirs) in zip(Self.secrets(a.credentials), Self.secrets(b.credentials)) { #expect(mine != theirs) }
        // what a script can read is the same in both, so no function of it gives either key
        for path in ["/v3/orders?page_size=25", "/v3/stores", "/v3/products?page_size=25", "/v3/me", "/v3/customers?page_size=25"] {
            let seenA = try await a.get(path).json.description.replacingOccurrences(of: a.sandbox.baseURL, with: "")
            let seenB = try await b.get(path).json.description.replacingOccurrences(of: b.sandbox.baseURL, with: "")
            #expect(seenA == seenB, "\(path)")
            for secret in Self.secrets(a.credentials) + Self.secrets(b.credentials) { #expect(!seenA.contains(secret), "\(path)") }
        }
        #expect(try await b.get("/v3/orders", headers: a.business).status == 401)
        #expect(try await b.get(b.storePath + "/public/items", headers: a.storefront).status == 401)
        let login = try await b.post(
            b.storePath + "/public/auth/login",
            ["email": .string(b.credentials.customerEmail), "password": .string(a.credentials.customerPassword), "login_as": "customer"],
            headers: b.storefront)
        #expect(login.status == 401)
        try await a.stop()
        try await b.stop()
    }

    @Test("tokens a sandbox issues come from the secret source too: two starts issue different tokens")
    func tokensRandomPerStart() async throws {
        var issued: [[String]] = []
        for _ in 0..<2 {
            let harness = try await SandboxHarness.start()
            let login = try await harness.customerLogin()
            let key = try await harness.admin("POST", "/keys", ["scopes": ["order:list"]]).json["key"].textValue ?? ""
            let cart = try await harness.get(harness.storePath + "/public/cart", headers: harness.storefront)
            issued.append([login["refresh"].textValue ?? "", key, cart.header("X-Scalev-Guest-Token") ?? ""])
            try await harness.stop()
        }
        #expect(issued[0].allSatisfy { !$0.isEmpty } && issued[1].allSatisfy { !$0.isEmpty }, "\(issued)")
        for (first, second) in zip(issued[0], issued[1]) { #expect(first != second) }
    }

    @Test("a key seed gives the same keys at every start; another key seed other keys")
    func keySeed() async throws {
        var seeded = SandboxHarness.quick
        seeded.keySeed = 7
        let a = try await SandboxHarness.start(seeded)
        let b = try await SandboxHarness.start(seeded)
        #expect(a.credentials == b.credentials)
        #expect(try await b.get("/v3/orders", headers: a.business).status == 200)
        seeded.keySeed = 8
        let c = try await SandboxHarness.start(seeded)
        for (mine, theirs) in zip(Self.secrets(a.credentials), Self.secrets(c.credentials)) { #expect(mine != theirs) }
        for harness in [a, b, c] { try await harness.stop() }
    }

    @Test("a restart from a data file keeps the data and draws new keys (the old ones are refused); a key seed keeps them")
    func restartDrawsNewKeys() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-keys-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var configuration = SandboxHarness.quick
        configuration.dataFile = file
        let first = try await SandboxHarness.start(configuration)
        let order = try await first.post("/v3/orders", try await first.digitalOrderBody()).json
        let old = first.credentials
        try await first.stop()
        let second = try await SandboxHarness.start(configuration)
        for (mine, theirs) in zip(Self.secrets(old), Self.secrets(second.credentials)) { #expect(mine != theirs) }
        #expect(second.credentials.storeUniqueID == old.storeUniqueID)
        #expect(try await second.get("/v3/orders/\(order["id"].textValue ?? "")").json["order_id"] == order["order_id"])
        #expect(try await second.get("/v3/orders", headers: first.business).status == 401)
        #expect(try await second.get("/v3/orders", headers: second.restricted).status == 200)
        #expect(try await second.get(second.storePath + "/public/items", headers: second.storefront).status == 200)
        #expect(try await second.customerLogin()["access"].textValue != nil)
        try await second.stop()
        #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(old.businessKey))

        configuration.keySeed = 3
        let third = try await SandboxHarness.start(configuration)
        let pinned = third.credentials
        try await third.stop()
        let fourth = try await SandboxHarness.start(configuration)
        #expect(fourth.credentials == pinned)
        #expect(try await fourth.get("/v3/orders", headers: fourth.business).status == 200)
        try await fourth.stop()
    }

    @Test("a reset reseeds the data and keeps the started sandbox's keys")
    func resetKeepsKeys() async throws {
        let harness = try await SandboxHarness.start()
        let reply = try await harness.admin("POST", "/reset", ["orders": 10])
        #expect(reply.json["business_key"].textValue == harness.credentials.businessKey)
        #expect(try await harness.get("/v3/orders").status == 200)
        #expect(try await harness.get(harness.storePath + "/public/items", headers: harness.storefront).status == 200)
        #expect(try await harness.customerLogin()["access"].textValue != nil)
        try await harness.stop()
    }
}
