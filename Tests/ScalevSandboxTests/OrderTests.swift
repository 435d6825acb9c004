import Foundation
import LunasTesting
import ScalevModel
import ScalevSandbox
import Testing

@Suite("Business orders", .testScope)
struct OrderTests {
    @Test("pagination over 300+ orders visits each exactly once, newest first, and back")
    func paginationVisitsEveryOrderOnce() async throws {
        let harness = try await SandboxHarness.start(SandboxConfiguration(rateLimitingEnabled: false))
        var seen: [String] = []
        var createdAts: [String] = []
        var cursor: String?
        var pages: [[String]] = []
        repeat {
            let path = "/v3/orders?page_size=25" + (cursor.map { "&next_cursor=\($0)" } ?? "")
            let page = try await harness.get(path).json
            #expect(page["is_paginated"] == true)
            #expect(page["page_size"] == 25)
            let ids = (page["data"].arrayValue ?? []).compactMap { $0["id"].textValue }
            createdAts += (page["data"].arrayValue ?? []).compactMap { $0["created_at"].textValue }
            pages.append(ids)
            seen += ids
            cursor = page["has_next"] == true ? page["next_cursor"].textValue : nil
        } while cursor != nil
        #expect(seen.count >= 300)
        let seeded = try await harness.get("/v3/orders/\(seen[seen.count - 1])").json
        #expect(seeded["public_order_url"].textValue?.hasPrefix(harness.sandbox.baseURL + "/o/") ?? false)
        #expect(Set(seen).count == seen.count)
        #expect(seen == seen.sorted(by: >))
        #expect(createdAts == createdAts.sorted(by: >))
        // Walk back from the last page with previous_cursor.
        let last = try await harness.get("/v3/orders?page_size=25&next_cursor=" + CursorProbe.nextCursor(before: pages, harness: harness))
        let previous = try await harness.get("/v3/orders?page_size=25&previous_cursor=\(last.json["previous_cursor"].textValue ?? "")").json
        #expect((previous["data"].arrayValue ?? []).compactMap { $0["id"].textValue } == pages[pages.count - 2])
        // Over-limit page size is clamped to 25.
        #expect(try await harness.get("/v3/orders?page_size=100").json["page_size"] == 25)
        #expect(try await harness.get("/v3/orders?next_cursor=garbage").status == 400)
    }

    @Test("list filters: status, payment_status, payment_method, tags, store, search, time range")
    func listFilters() async throws {
        // the time range below pins the dates: the history of the 2024-12-31 anchor
        let harness = try await SandboxHarness.start(SandboxConfiguration(anchor: SandboxConfiguration.anchor(parsing: "2025-01-01"), rateLimitingEnabled: false))
        for (filter, field, value) in [("status=completed", "status", "completed"), ("payment_status=paid", "payment_status", "paid"), ("payment_method=qris", "payment_method", "qris")] {
            let data = try await harness.get("/v3/orders?\(filter)").json["data"].arrayValue ?? []
            #expect(!data.isEmpty)
            #expect(data.allSatisfy { $0[field].textValue == value })
        }
        let tagged = try await harness.get("/v3/orders?tags=gift").json["data"].arrayValue ?? []
        #expect(!tagged.isEmpty && tagged.allSatisfy { $0["tags"].arrayValue?.contains("gift") ?? false })
        let academy = try await harness.get("/v3/orders?store_id=3289").json["data"].arrayValue ?? []
        #expect(!academy.isEmpty && academy.allSatisfy { $0["store"]["id"] == 3289 })
        let some = try #require(try await harness.get("/v3/orders").json["data"].arrayValue?.first)
        let byNumber = try await harness.get("/v3/orders?search=\(some["order_id"].textValue ?? "")").json["data"].arrayValue ?? []
        #expect(byNumber.map { $0["id"] } == [some["id"]])
        let email = some["customer_email"].textValue ?? ""
        let byEmail = try await harness.get("/v3/orders?search=\(email)&search_field=customer_email").json["data"].arrayValue ?? []
        #expect(byEmail.allSatisfy { $0["customer_email"].textValue == email })
        #expect(try await harness.get("/v3/orders?search=x&search_field=nope").status == 422)
        let ranged = try await harness.get("/v3/orders?confirmed_time_since=2024-10-01&confirmed_time_until=2024-10-31").json["data"].arrayValue ?? []
        #expect(!ranged.isEmpty)
        #expect(ranged.allSatisfy { ($0["confirmed_time"].textValue ?? "").hasPrefix("2024-10") })
    }

    @Test("create a digital order: 200 with id UUIDv7, order_id, secret_slug and URLs; webhook-free validation errors")
    func createDigital() async throws {
        let harness = try await SandboxHarness.start()
        let reply = try await harness.post("/v3/orders", try await harness.digitalOrderBody())
        #expect(reply.status == 200)
        let order = reply.json
        let id = try #require(order["id"].textValue)
        #expect(id.count == 36 && Array(id)[14] == "7")
        #expect(order["order_id"].textValue?.count == 12)
        let url = try #require(order["public_order_url"].textValue)
        #expect(order["payment_url"].textValue == url + "/success")
        #expect(url.hasSuffix(order["secret_slug"].textValue ?? "?"))
        #expect(order["status"] == "pending" && order["payment_status"] == "unpaid")
        #expect(order["pg_payment_info"]["invoice_url"].textValue != nil)
        // It is the newest order now, and can be read back.
        #expect(try await harness.get("/v3/orders?page_size=1").json["data"].arrayValue?.first?["id"] == order["id"])
        #expect(try await harness.get("/v3/orders/\(id)").json == order)
        #expect(try await harness.get("/v3/orders/\(id)/actions").json["is_digital_product_present"] == true)
        #expect(try await harness.post("/v3/orders/\(id)/send-product-digital").status == 204)
        #expect(try await harness.post("/v3/orders/\(id)/send-lms-access").status == 422)
        // Required fields and bad references.
        let missing = try await harness.post("/v3/orders", ["customer_name": "x"])
        #expect(missing.status == 422)
        #expect(missing.json["error_code"] == "validation_failed")
        #expect(missing.json["errors"].arrayValue?.contains { $0["field"] == "store_unique_id" } ?? false)
        var bad = try await harness.digitalOrderBody()
        bad["ordervariants"] = [["variant_unique_id": "variant_nope", "quantity": 1]]
        #expect(try await harness.post("/v3/orders", bad).status == 422)
        #expect(try await harness.get("/v3/orders/0190aaaa-0000-7000-8000-000000000000").status == 404)
    }

    @Test("create a physical order needs address, location, warehouse, shipping cost and courier")
    func createPhysical() async throws {
        let harness = try await SandboxHarness.start()
        let products = try await harness.get("/v3/stores/3288/products").json["data"].arrayValue ?? []
        let coffee = try #require(products.first { $0["item_type"] == "physical" }?["variants"].arrayValue?.first)
        var body: JSON = [
            "store_unique_id": .string(harness.credentials.storeUniqueID), "customer_name": "Budi", "customer_phone": "62811",
            "payment_method": "bank_transfer", "ordervariants": [["variant_unique_id": coffee["unique_id"], "quantity": 2]],
        ]
        let refused = try await harness.post("/v3/orders", body)
        #expect(refused.status == 422)
        let fields = Set(refused.json["errors"].arrayValue?.compactMap { $0["field"].textValue } ?? [])
        #expect(fields == ["address", "location_id", "warehouse_unique_id", "shipping_cost", "courier_service_id"])
        let location = try #require(try await harness.get("/v3/locations?search=Menteng").json["data"].arrayValue?.first)
        let warehouse = try #require(try await harness.post("/v3/shipping-costs/search-warehouse", [
            "store_id": .string(harness.credentials.storeUniqueID), "destination_id": location["id"], "variants": [],
        ]).json["data"].arrayValue?.first)
        let courier = try #require(try await harness.post("/v3/shipping-costs/search-courier-service", [
            "store_id": 3288, "warehouse_id": 71, "location_id": location["id"], "payment_method": "bank_transfer", "weight": 500,
        ]).json["data"].arrayValue?.first)
        body["address"] = "Jl. Merdeka 1"
        body["location_id"] = location["id"]
        body["warehouse_unique_id"] = warehouse["warehouse_unique_id"]
        body["shipping_cost"] = courier["cost"]
        body["courier_service_id"] = courier["courier_service_id"]
        let created = try await harness.post("/v3/orders", body)
        #expect(created.status == 200)
        #expect(created.json["destination_address"]["location"]["id"] == location["id"])
        let price = Int(coffee["price"].doubleValue ?? 0)
        #expect(created.json["gross_revenue"] == .string("\(2 * price + (courier["cost"].intValue ?? 0)).00"))
    }

    @Test("update, tags, change-status rules, delete")
    func lifecycle() async throws {
        let harness = try await SandboxHarness.start()
        let order = try await harness.post("/v3/orders", try await harness.digitalOrderBody()).json
        let id = try #require(order["id"].textValue)
        let patched = try await harness.patch("/v3/orders/\(id)", ["notes": "call first", "customer_name": "Tester Two"])
        #expect(patched.status == 200 && patched.json["notes"] == "call first" && patched.json["customer_name"] == "Tester Two")
        #expect(try await harness.post("/v3/orders/\(id)/update-tags", ["tags": ["vip", "new"]]).json["tags"] == ["vip", "new"])
        #expect(try await harness.get("/v3/orders/tags").json["data"].arrayValue?.contains("new") ?? false)
        #expect(try await harness.post("/v3/orders/\(id)/update-tags", [:]).status == 422)
        let paid = try await harness.post("/v3/orders/change-status", ["ids": [.string(id)], "status": "confirmed", "payment_status": "paid"])
        #expect(paid.status == 200)
        #expect(paid.json["is_paginated"] == false)
        #expect(paid.json["data"].arrayValue?.first?["status"] == "confirmed")
        let backwards = try await harness.post("/v3/orders/change-status", ["ids": [.string(id)], "status": "pending"])
        #expect(backwards.status == 422 && backwards.json["errors"].arrayValue?.first?["code"] == "invalid_status_transition")
        #expect(try await harness.post("/v3/orders/change-status", ["ids": [.string(id)]]).status == 422)
        #expect(try await harness.post("/v3/orders/change-status", ["ids": ["nope"], "status": "canceled"]).status == 404)
        #expect(try await harness.post("/v3/orders/change-status", ["ids": [.string(id)], "status": "shipped"]).status == 200)
        #expect(try await harness.post("/v3/orders/change-status", ["ids": [.string(id)], "status": "canceled"]).status == 422)
        let deleted = try await harness.post("/v3/orders/delete", ["ids": [.string(id)]])
        #expect(deleted.json["data"] == [.string(id)])
        #expect(try await harness.get("/v3/orders/\(id)").status == 404)
        let stats = try await harness.get("/v3/orders/statistics").json
        #expect(stats["is_paginated"] == true && !(stats["data"].arrayValue ?? []).isEmpty)
    }

    @Test("stores, products, variants, bundles, customers, locations")
    func catalogResources() async throws {
        let harness = try await SandboxHarness.start()
        let stores = try await harness.get("/v3/stores").json
        #expect(stores["data"].arrayValue?.count == 3)
        #expect(try await harness.get("/v3/stores/3288").json["unique_id"].textValue == harness.credentials.storeUniqueID)
        #expect(try await harness.get("/v3/stores/999").status == 404)
        #expect(try await harness.get("/v3/stores/simplified").json["data"].arrayValue?.first?["payment_methods"].arrayValue != nil)
        let products = try await harness.get("/v3/products").json["data"].arrayValue ?? []
        #expect(Set(products.compactMap { $0["item_type"].textValue }) == ["physical", "digital", "course", "subscription", "license"])
        let variant = try #require(products.first?["variants"].arrayValue?.first)
        #expect(try await harness.get("/v3/variants/\(variant["unique_id"].textValue ?? "")").json["id"] == variant["id"])
        let bundles = try await harness.get("/v3/bundles").json["data"].arrayValue ?? []
        let bundle = try #require(bundles.first)
        let options = try await harness.get("/v3/bundles/\(bundle["id"].intValue ?? 0)/bundle-price-options").json["data"].arrayValue ?? []
        #expect(!options.isEmpty && (options.first?["unique_id"].textValue?.hasPrefix("bpo_") ?? false))
        let customers = try await harness.get("/v3/customers").json
        #expect(customers["data"].arrayValue?.count == 25 && customers["has_next"] == true)
        let created = try await harness.post("/v3/customers", ["name": "Ani", "email": "ani@example.com"])
        #expect(created.status == 200)
        #expect(try await harness.get("/v3/customers/\(created.json["id"].intValue ?? 0)").json["email"] == "ani@example.com")
        #expect(try await harness.get("/v3/locations?search=bandung").json["data"].arrayValue?.count == 2)
        // A bundle price option orders too.
        let order = try await harness.post("/v3/orders", [
            "store_unique_id": .string(harness.credentials.storeUniqueID), "customer_name": "Bundle Buyer", "payment_method": "invoice",
            "orderbundles": [["bundle_price_option_unique_id": .string("\(bundles.first?["bundle_price_options"].arrayValue?.first?["unique_id"].textValue ?? "")"), "quantity": 1]],
        ])
        #expect(order.status == 200)
    }
}

/// Helpers for walking cursors.
enum CursorProbe {
    /// The next_cursor of the second-to-last page (so the answer is the last page).
    static func nextCursor(before pages: [[String]], harness: SandboxHarness) async throws -> String {
        var cursor: String?
        for _ in 0..<(pages.count - 1) {
            let path = "/v3/orders?page_size=25" + (cursor.map { "&next_cursor=\($0)" } ?? "")
            cursor = try await harness.get(path).json["next_cursor"].textValue
        }
        return cursor ?? ""
    }
}
