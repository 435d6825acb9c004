import LunasTesting
import Scalev
import ScalevModel
import Testing

@Suite("Dry run", .testScope)
struct DryRunTests {
    @Test("writes are recorded and answered from the request, never sent; reads go through")
    func dryRun() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        let writes = TraceLog()
        let context = sandbox.context(dryRun: true, writes: writes)
        let page = try await client.send(ScalevRequest(method: "GET", path: "/v3/orders", query: [("page_size", "1")]), context: context)
        #expect(!page.dryRun && pacer.admits.count == 1)
        let order = try #require(page.value["data"][0])
        let id = try #require(order["id"].stringValue)
        let tagged = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/\(id)/update-tags", body: ["tags": ["dry"]]), context: context)
        #expect(tagged.dryRun && tagged.value["dry_run"] == true && tagged.value["tags"] == ["dry"])
        let created = try await client.call("createOrder", ["body": try await sandbox.digitalOrder(email: "dry@example.com")], context: context)
        #expect(created.dryRun && created.value["customer_email"] == "dry@example.com")
        let deleted = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/delete", body: ["ids": [.string(id)]]), context: context)
        #expect(deleted.dryRun)
        #expect(pacer.admits.count == 1)
        // each line shows the body's values (keys sorted)
        let lines = writes.all
        #expect(lines.count == 3)
        #expect(lines.first == #"dry run: POST /v3/orders/\#(id)/update-tags {"tags":["dry"]} not sent"#)
        #expect(lines.dropFirst().first?.hasPrefix(#"dry run: POST /v3/orders {"customer_email":"dry@example.com","customer_name":"Tester","#) == true,
                "\(lines)")
        #expect(lines.dropFirst().first?.contains(#""payment_method":"invoice","store_unique_id":""#) == true, "\(lines)")
        #expect(lines.last == #"dry run: POST /v3/orders/delete {"ids":["\#(id)"]} not sent"#)
        let after = try await client.send(ScalevRequest(method: "GET", path: "/v3/orders/\(id)"), context: context)
        #expect(after.value["tags"] == order["tags"])
        #expect(try await sandbox.orderCount(email: "dry@example.com") == 0)
        try await sandbox.stop()
    }

    @Test("a dry run refuses what the real run refuses before recording anything, and redacts the values it shows")
    func dryRunChecks() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        let writes = TraceLog()
        let context = sandbox.context(dryRun: true, writes: writes)
        for params: [String: JSON] in [[:], ["customer_name": "n", "store_unique_id": "s", "payment_method": "cash"]] {
            let dry = await sandbox.expectError { _ = try await client.call("createOrder", params, context: context) }
            let real = await sandbox.expectError { _ = try await client.call("createOrder", params, context: sandbox.context()) }
            #expect(dry?.code == real?.code && dry?.message == real?.message && dry?.errors.map(\.field) == real?.errors.map(\.field))
        }
        #expect(writes.all.isEmpty && pacer.admits.isEmpty)
        let key = sandbox.credentials.businessKey
        _ = try await client.call("createOrder", ["customer_name": .string("Ana \(key)"), "store_unique_id": "s"], context: context)
        #expect(writes.all == [#"dry run: POST /v3/orders {"customer_name":"Ana [redacted]","store_unique_id":"s"} not sent"#])
        try await sandbox.stop()
    }

    @Test("classification: GETs and the read-only POSTs read; everything else writes; the catalog agrees")
    func classification() throws {
        #expect(ScalevClient.isRead(method: "GET", path: "/v3/orders"))
        #expect(ScalevClient.isRead(method: "POST", path: "/v3/shipping-costs"))
        #expect(ScalevClient.isRead(method: "POST", path: "/v3/stores/store_abc/public/checkout/summary"))
        #expect(ScalevClient.isRead(method: "POST", path: "/v3/stores/store_abc/customers/me/checkout/shipping-options/"))
        #expect(!ScalevClient.isRead(method: "POST", path: "/v3/orders"))
        #expect(!ScalevClient.isRead(method: "POST", path: "/v3/stores/store_abc/public/checkout"))
        #expect(!ScalevClient.isRead(method: "PATCH", path: "/v3/orders/1"))
        #expect(!ScalevClient.isRead(method: "DELETE", path: "/v3/products/1"))
        #expect(ScalevClient.isRepeatable(method: "POST", path: "/v3/orders/1/update-tags"))
        #expect(!ScalevClient.isRepeatable(method: "POST", path: "/v3/orders/1/send-lms-access"))
        for operation in try OperationCatalog.bundled().operations {
            let path = operation.path.split(separator: "/").map { $0.hasPrefix("{") ? "x1" : String($0) }.joined(separator: "/")
            let expected = operation.readOnly || ["searchShippingCosts", "searchCourierServices", "searchWarehouses", "checkProductPartnershipChanges"].contains(operation.operationID)
            #expect(ScalevClient.isRead(method: operation.method, path: path) == expected, "\(operation.operationID)")
        }
    }
}
