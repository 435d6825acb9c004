import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Storefront public and checkout intents", .testScope)
struct StorefrontTests {
    @Test("items, product, payment methods, guest cart with token, shipping, summary, checkout 201, public order, payment")
    func guestCheckout() async throws {
        let harness = try await SandboxHarness.start()
        let base = harness.storePath + "/public"
        let sf = harness.storefront
        let items = try await harness.get(base + "/items", headers: sf).json
        #expect(items["is_paginated"] == true && (items["data"].arrayValue?.count ?? 0) >= 9)
        let product = try await harness.get(base + "/products/kopi-gayo-250g", headers: sf)
        #expect(product.status == 200 && product.json["variants"].arrayValue?.count == 2)
        #expect(try await harness.get(base + "/products/nope", headers: sf).status == 404)
        let methods = try await harness.get(base + "/payment-methods", headers: sf).json
        #expect(methods["is_paginated"] == false && methods["data"].arrayValue?.first?["code"].textValue != nil)

        let first = try await harness.get(base + "/cart", headers: sf)
        let token = try #require(first.header("X-Scalev-Guest-Token"))
        var guest = sf
        guest["X-Scalev-Guest-Token"] = token
        let added = try await harness.post(base + "/cart/items", ["type": "variant", "variant_id": 9001, "quantity": 1], headers: guest)
        #expect(added.status == 201 && added.header("X-Scalev-Guest-Token") == nil && added.json["item_count"] == 1)
        let itemID = try #require(added.json["items"].arrayValue?.first?["id"].intValue)
        #expect(try await harness.patch(base + "/cart/items/\(itemID)", ["quantity": 3], headers: guest).json["item_count"] == 3)
        #expect(try await harness.post(base + "/cart/items", ["type": "variant", "variant_id": 9001, "quantity": 0], headers: guest).status == 422)

        let options = try await harness.post(base + "/checkout/shipping-options", ["destination": ["location_id": 3100, "postal_code": "10110"]], headers: guest)
        #expect(options.status == 200)
        let courier = try #require(options.json["data"].arrayValue?.first)
        #expect(try await harness.post(base + "/checkout/shipping-options", ["destination": ["location_id": 3100]], headers: guest).status == 422)
        let summary = try await harness.post(base + "/checkout/summary", ["courier_service_id": courier["courier_service_id"]], headers: guest).json
        #expect(summary["product_price"] == "255000.00")

        let missing = try await harness.post(base + "/checkout", ["customer_email": "a@b.c"], headers: guest)
        #expect(missing.status == 422)
        let order = try await harness.post(base + "/checkout", [
            "customer_name": "Sari", "customer_email": "sari@example.com", "shipping_address": "Jl. Melati 3", "shipping_location_id": 3100,
            "shipping_postal_code": "10110", "courier_service_id": courier["courier_service_id"], "payment_method": "qris",
        ], headers: guest)
        #expect(order.status == 201)
        let slug = try #require(order.json["secret_slug"].textValue)
        #expect(order.json["orderlines"].arrayValue?.first?["quantity"] == 3)
        #expect(try await harness.get(base + "/cart", headers: guest).json["item_count"] == 0)
        let page = try await harness.get(base + "/orders/\(slug)", headers: sf)
        #expect(page.status == 200 && page.json["id"] == order.json["id"])
        let payment = try await harness.post(base + "/orders/\(slug)/payment", headers: sf)
        #expect(payment.json["pg_payment_info"]["qr_string"].textValue != nil)
        #expect(try await harness.post(base + "/orders/\(slug)/payment", headers: sf).json == payment.json)
        #expect(try await harness.get(base + "/orders/unknown", headers: sf).status == 404)
        // The business side sees it.
        #expect(try await harness.get("/v3/orders/\(order.json["id"].textValue ?? "")").status == 200)
    }

    @Test("checkout intents: start, snapshot, stale sequence, bad token, abandoned after 15 minutes, follow-up once, completed")
    func checkoutIntents() async throws {
        let harness = try await SandboxHarness.start()
        let base = harness.storePath + "/public/checkout-intents"
        let sf = harness.storefront
        let session = UUID().uuidString.lowercased()
        let start: JSON = ["recaptcha_token": "ok", "client_session_id": .string(session), "form_widget_id": "main-form"]
        let started = try await harness.post(base, start, headers: sf)
        #expect(started.status == 201 && started.json["status"] == "active")
        let id = try #require(started.json["id"].textValue)
        let token = try #require(started.json["checkout_intent_token"].textValue)
        #expect(token.hasPrefix("cit_"))
        #expect(try await harness.post(base, ["recaptcha_token": "ok"], headers: sf).status == 422)
        #expect(try await harness.post(base, ["recaptcha_token": "invalid", "client_session_id": .string(session), "form_widget_id": "x"], headers: sf).status == 403)
        var withToken = sf
        withToken["X-Scalev-Checkout-Intent-Token"] = token
        let snapshot: JSON = ["sequence": 2, "fields": ["name": "Dewi", "email": "dewi@example.com"], "items": [["type": "variant", "variant_id": 9006, "quantity": 1]]]
        #expect(try await harness.patch(base + "/\(id)", snapshot, headers: withToken).status == 204)
        #expect(try await harness.patch(base + "/\(id)", ["sequence": 1, "fields": ["name": "Stale"]], headers: withToken).status == 204)
        var badToken = sf
        badToken["X-Scalev-Checkout-Intent-Token"] = "cit_wrong"
        let unauthorized = try await harness.patch(base + "/\(id)", snapshot, headers: badToken)
        #expect(unauthorized.status == 401 && unauthorized.json["error_code"] == "invalid_checkout_intent_token")
        let detail = try await harness.get("/v3/checkout-intents/\(id)").json
        #expect(detail["fields"]["name"] == "Dewi" && detail["status"] == "active")
        #expect(detail["items"].arrayValue?.first?["line_total"] == "49000.00")
        #expect(try await harness.post("/v3/checkout-intents/\(id)/follow-up-email").status == 422)
        try await harness.advanceClock(15 * 60)
        #expect(try await harness.get("/v3/checkout-intents?status=abandoned").json["data"].arrayValue?.first?["id"] == .string(id))
        #expect(try await harness.post("/v3/checkout-intents/\(id)/follow-up-email").status == 204)
        let again = try await harness.post("/v3/checkout-intents/\(id)/follow-up-email")
        #expect(again.status == 409 && again.json["error_code"] == "checkout_intent_follow_up_email_already_sended")
        #expect(try await harness.get("/v3/checkout-intents", headers: harness.restricted).status == 200)
        // An order with the token completes it; starting it again is a conflict.
        let order = try await harness.post(harness.storePath + "/public/checkout", [
            "customer_name": "Dewi", "customer_email": "dewi@example.com", "items": [["variant_id": 9006, "quantity": 1]],
            "payment_method": "invoice", "checkout_intent_token": .string(token),
        ], headers: sf)
        #expect(order.status == 201)
        #expect(try await harness.get("/v3/checkout-intents/\(id)").json["status"] == "completed")
        let conflict = try await harness.post(base, start, headers: sf)
        #expect(conflict.status == 409)
        #expect(try await harness.patch(base + "/\(id)", ["sequence": 9], headers: withToken).status == 409)
    }
}
