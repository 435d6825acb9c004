import AsyncHTTPClient
import Foundation
import ScalevSandbox

/// A running sandbox plus an HTTP client speaking to it over loopback.
struct SandboxHarness: Sendable {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue { JSONValue.parse(body) ?? .null }
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    let sandbox: ScalevSandbox
    let client: HTTPClient

    /// Tests that do not page through orders seed fewer of them: starting is then quicker.
    static let quick = SandboxConfiguration(seededOrderCount: 60, rateLimitingEnabled: false)

    static func start(_ configuration: SandboxConfiguration = SandboxHarness.quick) async throws -> SandboxHarness {
        var configuration = configuration
        configuration.frozenClock = true // time moves only when a test advances it
        let sandbox = try await ScalevSandbox.start(configuration)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        return SandboxHarness(sandbox: sandbox, client: client)
    }

    func stop() async {
        try? await client.shutdown()
        await sandbox.stop()
    }

    var credentials: SandboxCredentials { sandbox.credentials }
    var business: [String: String] { ["Authorization": "Bearer \(credentials.businessKey)"] }
    var restricted: [String: String] { ["Authorization": "Bearer \(credentials.restrictedKey)"] }
    var storefront: [String: String] { ["X-Scalev-Storefront-Api-Key": credentials.storefrontKey] }
    var storePath: String { "/v3/stores/\(credentials.storeUniqueID)" }

    @discardableResult
    func send(_ method: String, _ path: String, headers: [String: String] = [:], json: JSONValue? = nil, raw: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: sandbox.baseURL + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(json.serialized())
        } else if let raw {
            request.body = .bytes(Array(raw.utf8))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return Reply(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }

    func get(_ path: String, headers: [String: String]? = nil) async throws -> Reply {
        try await send("GET", path, headers: headers ?? business)
    }

    func post(_ path: String, _ json: JSONValue = [:], headers: [String: String]? = nil) async throws -> Reply {
        try await send("POST", path, headers: headers ?? business, json: json)
    }

    func patch(_ path: String, _ json: JSONValue, headers: [String: String]? = nil) async throws -> Reply {
        try await send("PATCH", path, headers: headers ?? business, json: json)
    }

    /// Admin API call.
    @discardableResult
    func admin(_ method: String, _ path: String, _ json: JSONValue? = nil) async throws -> Reply {
        try await send(method, "/_sandbox" + path, json: json)
    }

    func advanceClock(_ seconds: Double) async throws {
        try await admin("POST", "/clock/advance", ["seconds": .double(seconds)])
    }

    /// Logs the seeded customer in; returns the token response.
    func customerLogin() async throws -> JSONValue {
        let reply = try await post(
            storePath + "/public/auth/login",
            ["email": .string(credentials.customerEmail), "password": .string(credentials.customerPassword), "login_as": "customer"],
            headers: storefront)
        return reply.json
    }

    func customerHeaders(_ tokens: JSONValue) -> [String: String] {
        ["Authorization": "Bearer \(tokens["access"].stringValue ?? "")"]
    }

    /// A digital order body for the storefront store.
    func digitalOrderBody() async throws -> JSONValue {
        let products = try await get("/v3/products?page_size=25").json["data"].arrayValue ?? []
        let ebook = products.first { $0["item_type"] == "digital" }
        return [
            "store_unique_id": .string(credentials.storeUniqueID), "customer_name": "Tester", "customer_email": "tester@example.com",
            "customer_phone": "6281200000000", "payment_method": "invoice",
            "ordervariants": [["variant_unique_id": ebook?["variants"].arrayValue?.first?["unique_id"] ?? .null, "quantity": 1]],
        ]
    }
}
