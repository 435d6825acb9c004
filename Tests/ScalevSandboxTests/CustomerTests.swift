import Foundation
import LunasTesting
import ScalevSandbox
import Testing

@Suite("Storefront customers", .testScope)
struct CustomerTests {
    @Test("login, profile, refresh rotation and family revocation on reuse, expiry with the clock")
    func tokenRotation() async throws {
        let harness = try await SandboxHarness.start()
        let tokens = try await harness.customerLogin()
        #expect(tokens["token_type"] == "Bearer" && tokens["expires_in"] == 900 && tokens["refresh_expires_in"] == 2_592_000)
        let profile = try await harness.get(harness.storePath + "/customers/me", headers: harness.customerHeaders(tokens))
        #expect(profile.status == 200 && profile.json["customer"]["email"].textValue == harness.credentials.customerEmail)
        let wrong = try await harness.post(harness.storePath + "/public/auth/login",
            ["email": .string(harness.credentials.customerEmail), "password": "nope"], headers: harness.storefront)
        #expect(wrong.status == 401)

        let refreshPath = harness.storePath + "/public/auth/jwt/refresh"
        let rotated = try await harness.post(refreshPath, ["refresh": tokens["refresh"]], headers: harness.storefront)
        #expect(rotated.status == 200 && rotated.json["refresh"] != tokens["refresh"])
        // Reusing the rotated token revokes the whole family, including the newest tokens.
        let reuse = try await harness.post(refreshPath, ["refresh": tokens["refresh"]], headers: harness.storefront)
        #expect(reuse.status == 401 && reuse.json["error_code"] == "token_reused")
        #expect(try await harness.post(refreshPath, ["refresh": rotated.json["refresh"]], headers: harness.storefront).status == 401)
        #expect(try await harness.get(harness.storePath + "/customers/me", headers: harness.customerHeaders(rotated.json)).status == 401)

        // A fresh login is unaffected; its access token expires after 15 simulated minutes.
        let fresh = try await harness.customerLogin()
        #expect(try await harness.get(harness.storePath + "/customers/me", headers: harness.customerHeaders(fresh)).status == 200)
        try await harness.advanceClock(901)
        let expired = try await harness.get(harness.storePath + "/customers/me", headers: harness.customerHeaders(fresh))
        #expect(expired.status == 401 && expired.json["error_code"] == "token_expired")
        #expect(try await harness.post(refreshPath, ["refresh": fresh["refresh"]], headers: harness.storefront).status == 200)
    }

    @Test("OTP login for a store that requires it")
    func otpLogin() async throws {
        let harness = try await SandboxHarness.start()
        let credentials = harness.credentials
        let path = "/v3/stores/\(credentials.otpStoreUniqueID)/public/auth"
        let headers = ["X-Scalev-Storefront-Api-Key": credentials.otpStorefrontKey]
        let login = try await harness.post(path + "/login", ["email": .string(credentials.otpCustomerEmail), "password": .string(credentials.customerPassword)], headers: headers)
        #expect(login.status == 200 && login.json["message"].textValue != nil && login.json["access"].isNull)
        let otp = try await harness.admin("GET", "/otp?store_id=\(credentials.otpStoreUniqueID)&email=\(credentials.otpCustomerEmail)").json["otp"]
        #expect(try await harness.post(path + "/otp/verify", ["email": .string(credentials.otpCustomerEmail), "otp": "000000x"], headers: headers).status == 401)
        let verified = try await harness.post(path + "/otp/verify", ["email": .string(credentials.otpCustomerEmail), "otp": otp], headers: headers)
        #expect(verified.status == 200 && verified.json["access"].textValue != nil)
    }

    @Test("addresses, cart, checkout 201 and order history")
    func customerCheckout() async throws {
        let harness = try await SandboxHarness.start()
        let auth = harness.customerHeaders(try await harness.customerLogin())
        let me = harness.storePath + "/customers/me"
        let address = try await harness.post(me + "/addresses", ["name": "Rumah", "address": "Jl. Kenanga 2", "location_id": 3100, "postal_code": "10110"], headers: auth)
        #expect(address.status == 200)
        #expect(try await harness.get(me + "/addresses", headers: auth).json["data"].arrayValue?.count == 1)
        let cart = try await harness.post(me + "/cart/items", ["type": "variant", "variant_id": 9001, "quantity": 2], headers: auth)
        #expect(cart.status == 201 && cart.json["item_count"] == 2 && cart.json["total"] == "170000.00")
        let order = try await harness.post(me + "/checkout", [
            "cart_id": cart.json["id"], "address_id": address.json["id"], "courier_service_id": 41, "payment_method": "va_bca",
        ], headers: auth)
        #expect(order.status == 201)
        #expect(order.json["pg_payment_info"]["payment_method"]["virtual_account"]["channel_properties"]["virtual_account_number"].textValue != nil)
        #expect(try await harness.get(me + "/cart", headers: auth).json["item_count"] == 0)
        let history = try await harness.get(me + "/orders", headers: auth).json
        #expect(history["data"].arrayValue?.first?["id"] == order.json["id"])
        #expect(try await harness.get(me + "/orders/\(order.json["id"].textValue ?? "")", headers: auth).status == 200)
        #expect(try await harness.post(me + "/checkout", ["items": [["variant_id": 9001, "quantity": 1]], "bogus": 1], headers: auth).status == 422)
    }

    @Test("subscriptions: cancel/resume preconditions, upgrade, downgrade at renewal, cancel at period end")
    func subscriptions() async throws {
        var seededIn2024 = SandboxHarness.quick
        seededIn2024.anchor = SandboxConfiguration.anchor(parsing: "2025-01-01")
        let harness = try await SandboxHarness.start(seededIn2024)
        var auth = harness.customerHeaders(try await harness.customerLogin())
        let me = harness.storePath + "/customers/me"
        let list = try await harness.get(me + "/subscriptions", headers: auth).json
        let subscription = try #require(list["data"].arrayValue?.first)
        let id = try #require(subscription["id"].textValue)
        #expect(subscription["status"] == "active")
        // Seeded in 2024, so reading it now has already rolled the periods forward.
        #expect((subscription["renewal_count"].intValue ?? 0) > 0)
        let itemID = try #require(subscription["subscription_items"].arrayValue?.first?["id"].intValue)
        #expect(try await harness.post(me + "/subscriptions/\(id)/resume", headers: auth).status == 422)
        let upgrades = try await harness.get(me + "/subscription-items/\(itemID)/upgrade", headers: auth).json["data"].arrayValue ?? []
        #expect(upgrades.count == 2)
        let upgraded = try await harness.post(me + "/subscription-items/\(itemID)/upgrade", ["variant_id": upgrades[1]["id"]], headers: auth)
        #expect(upgraded.json["subscription_items"].arrayValue?.first?["variant"]["id"] == upgrades[1]["id"])
        #expect(try await harness.post(me + "/subscription-items/\(itemID)/upgrade", ["variant_id": 9001], headers: auth).status == 422)
        let downgrades = try await harness.get(me + "/subscription-items/\(itemID)/downgrade", headers: auth).json["data"].arrayValue ?? []
        let downgraded = try await harness.post(me + "/subscription-items/\(itemID)/downgrade", ["variant_id": downgrades[0]["id"]], headers: auth)
        #expect(downgraded.json["subscription_items"].arrayValue?.first?["pending_variant"]["id"] == downgrades[0]["id"])
        // Pass a renewal: the downgrade applies.
        try await harness.advanceClock(31 * 86_400)
        auth = harness.customerHeaders(try await harness.customerLogin())
        let renewed = try await harness.get(me + "/subscriptions/\(id)", headers: auth).json
        #expect(renewed["subscription_items"].arrayValue?.first?["variant"]["id"] == downgrades[0]["id"])
        #expect(renewed["renewal_count"].intValue == (subscription["renewal_count"].intValue ?? 0) + 1)
        let canceled = try await harness.post(me + "/subscriptions/\(id)/cancel", headers: auth)
        #expect(canceled.json["is_cancel_at_period_end"] == true && canceled.json["status"] == "active")
        #expect(try await harness.post(me + "/subscriptions/\(id)/cancel", headers: auth).status == 422)
        #expect(try await harness.post(me + "/subscriptions/\(id)/resume", headers: auth).json["is_cancel_at_period_end"] == false)
        _ = try await harness.post(me + "/subscriptions/\(id)/cancel", headers: auth)
        try await harness.advanceClock(31 * 86_400)
        auth = harness.customerHeaders(try await harness.customerLogin())
        #expect(try await harness.get(me + "/subscriptions/\(id)", headers: auth).json["status"] == "canceled")
        #expect(try await harness.get(me + "/subscriptions?status=canceled", headers: auth).json["data"].arrayValue?.count == 1)
    }

    @Test("courses: course, section, content, progress; 403 without the course")
    func courses() async throws {
        let harness = try await SandboxHarness.start()
        let auth = harness.customerHeaders(try await harness.customerLogin())
        let me = harness.storePath + "/customers/me"
        let variant = try await harness.get("/v3/variants/9007").json
        let course = try await harness.get(me + "/variants/\(variant["uuid"].textValue ?? "")/course", headers: auth)
        #expect(course.status == 200 && course.json["course_sections"].arrayValue?.count == 2)
        let section = try #require(course.json["course_sections"].arrayValue?.first)
        #expect(try await harness.get(me + "/course-sections/\(section["uuid"].textValue ?? "")", headers: auth).status == 200)
        let content = try #require(section["course_contents"].arrayValue?.first?["uuid"].textValue)
        let progress = try await harness.patch(me + "/course-contents/\(content)", ["progress": 100], headers: auth)
        #expect(progress.json["progress"]["is_completed"] == true)
        #expect(try await harness.patch(me + "/course-contents/\(content)", ["progress": 101], headers: auth).status == 422)
        #expect(try await harness.get(me + "/course-contents/\(content)", headers: auth).json["progress"]["progress"] == 100)
        // Another customer (OTP store login is for another store, so use a fresh account-less check): unknown variant is 404.
        #expect(try await harness.get(me + "/variants/00000000-0000-4000-8000-000000000000/course", headers: auth).status == 404)
    }
}
