import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Auth, scopes and rate limits", .testScope)
struct AuthAndRateLimitTests {
    @Test("401 and 403 bodies; sk_ has every scope, rk_ only read scopes; /v3/me")
    func authFamilies() async throws {
        let harness = try await SandboxHarness.start()
        let missing = try await harness.get("/v3/orders", headers: [:])
        #expect(missing.status == 401 && missing.json["error"].textValue != nil && missing.json["error_code"].textValue != nil)
        #expect(try await harness.get("/v3/orders", headers: ["Authorization": "Bearer sk_wrong"]).json["error"] == "Invalid API key")
        #expect(try await harness.get("/v3/orders", headers: harness.restricted).status == 200)
        let forbidden = try await harness.post("/v3/orders", try await harness.digitalOrderBody(), headers: harness.restricted)
        #expect(forbidden.status == 403 && forbidden.json["error"] == "Forbidden")
        let me = try await harness.get("/v3/me").json
        #expect(me["auth_method"] == "api_key")
        #expect(me["connected_businesses"].arrayValue?.first?["scopes"].arrayValue?.contains("order:create") ?? false)
        let restrictedMe = try await harness.get("/v3/me", headers: harness.restricted).json
        #expect(!(restrictedMe["connected_businesses"].arrayValue?.first?["scopes"].arrayValue?.contains("order:create") ?? true))
        // Storefront key on the wrong store answers as if the store did not exist.
        let wrongStore = try await harness.get("/v3/stores/store_unknown/public/items", headers: harness.storefront)
        #expect(wrongStore.status == 404)
        #expect(try await harness.get(harness.storePath + "/public/items", headers: [:]).status == 401)
        #expect(try await harness.get(harness.storePath + "/customers/me", headers: [:]).status == 401)
    }

    @Test("business limit triggers at exactly N with headers and a plain-text 429, then frees with the clock")
    func businessLimit() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 60, businessRateLimits: [RateWindow(length: .seconds(60), limit: 5), RateWindow(length: .seconds(600), limit: 8)]))
        var resets: Set<String> = []
        for index in 0..<5 {
            let reply = try await harness.get("/v3/stores")
            #expect(reply.status == 200)
            #expect(reply.header("X-Ratelimit-Limit") == "5")
            #expect(reply.header("X-Ratelimit-Remaining") == String(4 - index))
            resets.insert(reply.header("X-Ratelimit-Reset") ?? "")
        }
        let refused = try await harness.get("/v3/stores")
        #expect(refused.status == 429)
        #expect(refused.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(refused.text == "Too many requests")
        #expect(refused.header("X-Ratelimit-Remaining") == "0")
        let reset = try #require(Int(refused.header("X-Ratelimit-Reset") ?? ""))
        #expect(reset > Int(Date().timeIntervalSince1970) && reset <= Int(Date().timeIntervalSince1970) + 61)
        // A request without a credential is answered 401 with headers of its own (per address) budget.
        let anonymous = try await harness.get("/v3/stores", headers: [:])
        #expect(anonymous.status == 401 && anonymous.header("X-Ratelimit-Remaining") == "4")
        // Another key has its own budget.
        #expect(try await harness.get("/v3/stores", headers: harness.restricted).status == 200)
        // After the 60 s window the 600 s window (8) binds: 3 more, then 429 with its limit in the headers.
        try await harness.advanceClock(61)
        for _ in 0..<3 { #expect(try await harness.get("/v3/stores").status == 200) }
        let second = try await harness.get("/v3/stores")
        #expect(second.status == 429 && second.header("X-Ratelimit-Limit") == "8")
        let stats = try await harness.admin("GET", "/stats").json["credentials"]
        let mine = try #require(stats.objectValue?.first { $0.key.hasPrefix("key:sk_") }?.value)
        #expect(mine["requests_served"] == 8 && mine["rate_limited"] == 2)
    }

    @Test("sliding log: no more than N in any interval, wherever it starts")
    func slidingWindowHardCase() async throws {
        // Margins of seconds so that real time passing under a loaded test run cannot blur them.
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 60, businessRateLimits: [RateWindow(length: .seconds(100), limit: 3)]))
        #expect(try await harness.get("/v3/stores").status == 200)
        try await harness.advanceClock(90)
        #expect(try await harness.get("/v3/stores").status == 200)
        #expect(try await harness.get("/v3/stores").status == 200)
        // A fixed window starting at t=100 would admit now; the sliding log must not until t0 + 100.
        try await harness.advanceClock(5)
        #expect(try await harness.get("/v3/stores").status == 429)
        try await harness.advanceClock(6)
        #expect(try await harness.get("/v3/stores").status == 200)
        // The two requests of t0 + 90 and the one just made fill the window again.
        #expect(try await harness.get("/v3/stores").status == 429)
    }

    @Test("storefront traffic is limited per client address; the trusted header names it")
    func storefrontPerAddress() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(
            seededOrderCount: 60, storefrontRateLimits: [RateWindow(length: .seconds(60), limit: 3)], trustedClientAddressHeader: "X-Test-Client"))
        var a = harness.storefront
        a["X-Test-Client"] = "10.0.0.1"
        var b = harness.storefront
        b["X-Test-Client"] = "10.0.0.2"
        for _ in 0..<3 { #expect(try await harness.get(harness.storePath + "/public/payment-methods", headers: a).status == 200) }
        #expect(try await harness.get(harness.storePath + "/public/payment-methods", headers: a).status == 429)
        #expect(try await harness.get(harness.storePath + "/public/payment-methods", headers: b).status == 200)
    }

    @Test("admin rate-limit spec replaces business windows")
    func adminRateLimits() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 60))
        #expect(try await harness.admin("PUT", "/rate-limits", ["business": "2/2s,200/20s"]).json["business"] == "2/2s,200/20s")
        #expect(try await harness.get("/v3/stores").header("X-Ratelimit-Limit") == "2")
        #expect(try await harness.get("/v3/stores").status == 200)
        #expect(try await harness.get("/v3/stores").status == 429)
        #expect(try RateWindow.list(parsing: "20/2s,200/20s") == [RateWindow(length: .seconds(2), limit: 20), RateWindow(length: .seconds(20), limit: 200)])
        #expect(throws: RateWindowSyntaxError.self) { try RateWindow.list(parsing: "20/x") }
    }
}
