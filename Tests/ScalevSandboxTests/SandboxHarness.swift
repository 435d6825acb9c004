import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox

/// The sandbox's own tests speak JSON, with the seeded credentials as header sets.
extension SandboxHarness {
    typealias Reply = SandboxReply

    var business: [String: String] { ["Authorization": "Bearer \(credentials.businessKey)"] }
    var restricted: [String: String] { ["Authorization": "Bearer \(credentials.restrictedKey)"] }
    var storefront: [String: String] { ["X-Scalev-Storefront-Api-Key": credentials.storefrontKey] }
    var storePath: String { "/v3/stores/\(credentials.storeUniqueID)" }

    @discardableResult
    func send(_ method: String, _ path: String, headers: [String: String] = [:], json: JSON? = nil, raw: String? = nil) async throws -> Reply {
        var fields = headers.map { ($0.key, $0.value) }
        if json != nil { fields.append(("Content-Type", "application/json")) }
        return try await request(method, path, headers: fields, body: json.map { $0.encoded() } ?? raw.map { Array($0.utf8) })
    }

    func get(_ path: String, headers: [String: String]? = nil) async throws -> Reply {
        try await send("GET", path, headers: headers ?? business)
    }

    func post(_ path: String, _ json: JSON = [:], headers: [String: String]? = nil) async throws -> Reply {
        try await send("POST", path, headers: headers ?? business, json: json)
    }

    func patch(_ path: String, _ json: JSON, headers: [String: String]? = nil) async throws -> Reply {
        try await send("PATCH", path, headers: headers ?? business, json: json)
    }

    /// Admin API call.
    @discardableResult
    func admin(_ method: String, _ path: String, _ json: JSON? = nil) async throws -> Reply {
        try await send(method, "/_sandbox" + path, json: json)
    }

    func advanceClock(_ seconds: Double) async throws {
        try await advanceClock(by: seconds)
    }

    /// Logs the seeded customer in; returns the token response.
    func customerLogin() async throws -> JSON {
        let reply = try await post(
            storePath + "/public/auth/login",
            ["email": .string(credentials.customerEmail), "password": .string(credentials.customerPassword), "login_as": "customer"],
            headers: storefront)
        return reply.json
    }

    func customerHeaders(_ tokens: JSON) -> [String: String] {
        ["Authorization": "Bearer \(tokens["access"].textValue ?? "")"]
    }

    /// A digital order body for the storefront store.
    func digitalOrderBody() async throws -> JSON {
        let products = try await get("/v3/products?page_size=25").json["data"].arrayValue ?? []
        let ebook = products.first { $0["item_type"] == "digital" }
        return [
            "store_unique_id": .string(credentials.storeUniqueID), "customer_name": "Tester", "customer_email": "tester@example.com",
            "customer_phone": "6281200000000", "payment_method": "invoice",
            "ordervariants": [["variant_unique_id": ebook?["variants"].arrayValue?.first?["unique_id"] ?? .null, "quantity": 1]],
        ]
    }
}

extension SandboxReply {
    var json: JSON { JSON.parse(body) ?? .null }
}
