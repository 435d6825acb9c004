import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Catalog conformance", .testScope)
struct ConformanceTests {
    /// Fills path parameters with ids that exist where the sandbox has them.
    static func concrete(_ path: String) -> String {
        var result: [String] = []
        let parts = path.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() {
            guard part.hasPrefix("{") else { result.append(part); continue }
            let parent = index > 0 ? parts[index - 1] : ""
            switch parent {
            case "products": result.append("8001")
            case "variants": result.append("9001")
            case "bundles": result.append("6001")
            case "customers": result.append("70001")
            case "stores": result.append("3288")
            case "locations": result.append("3100")
            default: result.append("1")
            }
        }
        return "/" + result.joined(separator: "/")
    }

    @Test("every catalogued v3 operation is served with its auth, scopes and required body fields")
    func catalog() async throws {
        let harness = try await SandboxHarness.start()
        let operations = harness.sandbox.catalog.operations
        #expect(operations.count == 240)
        let served = operations.filter { harness.sandbox.serves(method: $0.method, template: $0.path) }
        print("catalog coverage: \(served.count)/\(operations.count) operations served")
        #expect(served.count == operations.count)

        let noScopes = try await harness.admin("POST", "/keys", ["scopes": []]).json["key"].textValue ?? ""
        var checked = 0
        for operation in operations {
            let path = Self.concrete(operation.path)
            // Unauthenticated: 401 (never route_not_found).
            let anonymous = try await harness.send(operation.method, path)
            #expect(anonymous.status == 401, "\(operation.method) \(operation.path) without a key")
            // A restricted key without the scope: 403.
            if !operation.scopes.isEmpty {
                let forbidden = try await harness.send(operation.method, path, headers: ["Authorization": "Bearer \(noScopes)"])
                #expect(forbidden.status == 403, "\(operation.method) \(operation.path) without \(operation.scopes)")
                // A restricted key with exactly that scope passes the scope check.
                let scoped = try await harness.admin("POST", "/keys", ["scopes": .array(operation.scopes.map(JSON.string))]).json["key"].textValue ?? ""
                let allowed = try await harness.send(operation.method, path, headers: ["Authorization": "Bearer \(scoped)"], json: operation.body != nil && !operation.isMultipart ? [:] : nil)
                #expect(allowed.status != 403 && allowed.status != 401, "\(operation.method) \(operation.path) with \(operation.scopes)")
            }
            // Required body fields are enforced.
            let requiredFields = operation.body?.requiredFields ?? []
            if !requiredFields.isEmpty {
                let reply = try await harness.send(operation.method, path, headers: harness.business, json: operation.isMultipart ? nil : [:])
                #expect(reply.status == 422, "\(operation.method) \(operation.path) with an empty body")
                let fields = Set(reply.json["errors"].arrayValue?.compactMap { $0["field"].textValue } ?? [])
                #expect(fields.isSuperset(of: requiredFields) || reply.json["error_code"] == "not_found",
                    "\(operation.method) \(operation.path) names \(requiredFields)")
            }
            checked += 1
        }
        #expect(checked == 240)
    }

    @Test("the generic layer round-trips create, get, list, update, delete")
    func genericRoundTrip() async throws {
        let harness = try await SandboxHarness.start()
        let created = try await harness.post("/v3/discount-codes", ["code": "HEMAT10", "amount": 10, "amount_type": "percentage", "applied_to": "product"])
        #expect(created.status == 200)
        let id = try #require(created.json["id"].intValue)
        #expect(try await harness.get("/v3/discount-codes/\(id)").json["code"] == "HEMAT10")
        #expect(try await harness.get("/v3/discount-codes").json["data"].arrayValue?.count == 1)
        #expect(try await harness.patch("/v3/discount-codes/\(id)", ["amount": 20]).json["amount"] == 20)
        #expect(try await harness.send("DELETE", "/v3/discount-codes/\(id)", headers: harness.business).status == 204)
        #expect(try await harness.get("/v3/discount-codes/\(id)").status == 404)
        #expect(try await harness.get("/v3/products/1/knowledge-items").status == 404)
    }
}
