import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Faults, persistence, determinism", .testScope)
struct FaultAndPersistenceTests {
    @Test("faults are off by default and injectable per route")
    func faults() async throws {
        let harness = try await SandboxHarness.start()
        #expect(try await harness.get("/v3/stores").status == 200)
        try await harness.admin("POST", "/faults", ["route": "GET /v3/stores", "error_rate": 1, "count": 1])
        #expect(try await harness.get("/v3/stores").status == 503)
        #expect(try await harness.get("/v3/stores").status == 200)
        try await harness.admin("POST", "/faults", ["route": "/v3/orders", "rate_limit_rate": 1, "count": 2])
        let storm = try await harness.get("/v3/orders")
        #expect(storm.status == 429 && storm.text == "Too many requests")
        #expect(try await harness.get("/v3/orders").status == 429)
        #expect(try await harness.get("/v3/orders").status == 200)
        try await harness.admin("POST", "/faults", ["route": "GET /v3/products", "malformed_rate": 1, "count": 1])
        let malformed = try await harness.get("/v3/products")
        #expect(malformed.status == 200 && JSON.parse(malformed.body) == nil)
        try await harness.admin("POST", "/faults", ["route": "GET /v3/bundles", "truncate_rate": 1, "count": 1])
        await #expect(throws: (any Error).self) { try await harness.get("/v3/bundles") }
        try await harness.admin("POST", "/faults", ["route": "GET /v3/customers", "reset_rate": 1, "count": 1])
        await #expect(throws: (any Error).self) { try await harness.get("/v3/customers") }
        #expect(try await harness.get("/v3/customers").status == 200)
        try await harness.admin("POST", "/faults", ["route": "GET /v3/locations", "latency_ms": 150, "count": 1])
        let started = Date()
        #expect(try await harness.get("/v3/locations").status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.15)
        #expect(try await harness.admin("GET", "/faults").json["data"].arrayValue?.count == 6)
        #expect(try await harness.admin("DELETE", "/faults").status == 204)
    }

    @Test("a data file keeps state across restarts (keys are new at each start); the same seeds give the same data and keys")
    func persistence() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = try await SandboxHarness.start(SandboxConfiguration(seed: 9, seededOrderCount: 60, dataFile: file, rateLimitingEnabled: false))
        let order = try await first.post("/v3/orders", try await first.digitalOrderBody()).json
        let key = first.credentials.businessKey
        try await first.stop()
        let second = try await SandboxHarness.start(SandboxConfiguration(seed: 9, seededOrderCount: 60, dataFile: file, rateLimitingEnabled: false))
        #expect(second.credentials.businessKey != key)
        #expect(try await second.get("/v3/orders", headers: ["Authorization": "Bearer \(key)"]).status == 401)
        #expect(try await second.get("/v3/orders/\(order["id"].textValue ?? "")").json["order_id"] == order["order_id"])
        try await second.stop()

        let a = try await SandboxHarness.start(SandboxConfiguration(seed: 5, keySeed: 5, seededOrderCount: 60, rateLimitingEnabled: false))
        let b = try await SandboxHarness.start(SandboxConfiguration(seed: 5, keySeed: 5, seededOrderCount: 60, rateLimitingEnabled: false))
        #expect(a.credentials == b.credentials)
        let pageA = try await a.get("/v3/orders?page_size=5").json["data"]
        let pageB = try await b.get("/v3/orders?page_size=5").json["data"]
        #expect(pageA.description.replacingOccurrences(of: a.sandbox.baseURL, with: "") == pageB.description.replacingOccurrences(of: b.sandbox.baseURL, with: ""))
        try await a.stop()
        try await b.stop()
    }
}
