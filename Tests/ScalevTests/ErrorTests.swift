import Foundation
import LunasTesting
@testable import Scalev
import ScalevModel
import Testing

@Suite("Error answers", .testScope)
struct ErrorTests {
    @Test("401, 403 (rk_ without scope), 404, 422 with errors[] become one error type")
    func errorPaths() async throws {
        let sandbox = try await TestSandbox.start()
        let context = sandbox.context()
        let wrong = sandbox.client(.apiKey("sk_not_a_real_key_0123456789"))
        sandbox.addSecret("sk_not_a_real_key_0123456789")
        let unauthorized = await sandbox.expectError { _ = try await wrong.send(ScalevRequest(method: "GET", path: "/v3/orders"), context: context) }
        #expect(unauthorized?.status == 401 && unauthorized?.code == "unauthorized" && unauthorized?.retryable == false)
        #expect(unauthorized?.description == "GET /v3/orders -> 401 unauthorized: Invalid API key")

        let business = sandbox.business
        let page = try await business.send(ScalevRequest(method: "GET", path: "/v3/orders", query: [("page_size", "1")]), context: context)
        let id = try #require(page.value["data"][0]?["id"].stringValue)
        let restricted = sandbox.client(.apiKey(sandbox.credentials.restrictedKey))
        #expect(try await restricted.send(ScalevRequest(method: "GET", path: "/v3/orders/\(id)"), context: context).status == 200)
        let forbidden = await sandbox.expectError {
            _ = try await restricted.send(ScalevRequest(method: "POST", path: "/v3/orders/\(id)/update-tags", body: ["tags": ["x"]]), context: context)
        }
        #expect(forbidden?.status == 403 && forbidden?.code == "forbidden" && forbidden?.message.hasPrefix("Forbidden (POST /v3/orders/\(id)/update-tags needs the scope 'order:update'") == true, "\(String(describing: forbidden?.message))")

        let missing = await sandbox.expectError { _ = try await business.send(ScalevRequest(method: "GET", path: "/v3/orders/no-such-order"), context: context) }
        #expect(missing?.status == 404 && missing?.code == "not_found" && missing?.retryable == false)

        var body = try await sandbox.digitalOrder(email: "not-an-email")
        body = .object((body.objectValue ?? [:]).merging(["ordervariants": [["variant_unique_id": "variant_nope", "quantity": 0]]]) { $1 })
        let invalid = await sandbox.expectError { _ = try await business.send(ScalevRequest(method: "POST", path: "/v3/orders", body: body), context: context) }
        #expect(invalid?.status == 422 && invalid?.code == "validation_failed" && invalid?.retryable == false)
        #expect(invalid?.errors.isEmpty == false)
        #expect(invalid?.errors.contains { $0.field == "customer_email" } == true)
        #expect(invalid?.description.hasPrefix("POST /v3/orders -> 422 validation_failed: ") == true)
        #expect(try await sandbox.orderCount(email: "not-an-email") == 0)
        try await sandbox.stop()
    }

    @Test("409 conflict: a completed checkout intent cannot be started again")
    func conflict() async throws {
        let sandbox = try await TestSandbox.start()
        let storefront = sandbox.client(.storefront(publishableKey: sandbox.credentials.storefrontKey, storeID: sandbox.credentials.storeUniqueID))
        let context = sandbox.context()
        let session = UUID().uuidString.lowercased()
        let start: JSON = ["recaptcha_token": "ok", "client_session_id": .string(session), "form_widget_id": "main-form"]
        let started = try await storefront.send(ScalevRequest(method: "POST", path: sandbox.storePath + "/public/checkout-intents", body: start), context: context)
        #expect(started.status == 201)
        let token = try #require(started.value["checkout_intent_token"].stringValue)
        let order: JSON = [
            "customer_name": "Dewi", "customer_email": "dewi@example.com", "items": [["variant_id": 9006, "quantity": 1]],
            "payment_method": "invoice", "checkout_intent_token": .string(token),
        ]
        #expect(try await storefront.send(ScalevRequest(method: "POST", path: sandbox.storePath + "/public/checkout", body: order), context: context).status == 201)
        let conflict = await sandbox.expectError {
            _ = try await storefront.send(ScalevRequest(method: "POST", path: sandbox.storePath + "/public/checkout-intents", body: start), context: context)
        }
        #expect(conflict?.status == 409 && conflict?.code == "checkout_intent_completed" && conflict?.retryable == false)
        try await sandbox.stop()
    }

    @Test("bodies that are not v3 JSON: plain-text 429, HTML 502, empty 503, v2 details, OAuth errors")
    func parsing() {
        let plain = ScalevError(status: 429, body: Array("Too many requests".utf8), method: "GET", path: "/v3/orders")
        #expect(plain.message == "Too many requests" && plain.retryable && plain.code == nil)
        let html = ScalevError(status: 502, body: Array("<html><body>Bad Gateway</body></html>".utf8), method: "GET", path: "/v3/orders")
        #expect(html.message == "Bad gateway" && html.retryable)
        let empty = ScalevError(status: 503, body: [], method: "GET", path: "/v3/orders")
        #expect(empty.description == "GET /v3/orders -> 503: Service unavailable")
        let v2 = ScalevError(status: 422, body: JSON.object(["error": "Invalid data", "details": ["customer_email": ["is invalid"]]]).encoded(), method: "POST", path: "/v2/orders")
        #expect(v2.message == "Invalid data" && v2.errors == [.init(field: "customer_email", message: "is invalid")])
        let envelope = ScalevError(status: 400, body: JSON.object(["code": 400, "status": "Bad Request", "data": ["message": "store not found"]]).encoded(), method: "GET", path: "/v2/orders")
        #expect(envelope.message == "store not found")
        let oauth = ScalevError(status: 400, body: JSON.object(["error": "invalid_grant", "error_description": "Code expired"]).encoded(), method: "POST", path: "/v3/oauth/token")
        #expect(oauth.code == "invalid_grant" && oauth.message == "Code expired")
    }
}
