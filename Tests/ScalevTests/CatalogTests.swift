import LunasTesting
import Scalev
import ScalevModel
import Testing

@Suite("Operation catalog and call", .testScope)
struct CatalogTests {
    @Test("unknown operation names and parameters are answered with the nearest name")
    func suggestions() throws {
        let catalog = try OperationCatalog.bundled()
        for (name, expected) in [("list_order", "listOrders"), ("listorders", "listOrders"), ("getOrdr", "getOrder"), ("create_order", "createOrder")] {
            let error = #expect(throws: ScalevError.self) { try catalog.request(name, [:]) }
            #expect(error?.code == "unknown_operation")
            #expect(error?.message == "unknown operation '\(name)', did you mean '\(expected)'?")
        }
        let far = #expect(throws: ScalevError.self) { try catalog.request("frobnicateTheWidgets", [:]) }
        #expect(far?.message == "unknown operation 'frobnicateTheWidgets'")
        let parameter = #expect(throws: ScalevError.self) { try catalog.request("listOrders", ["page_sise": 5]) }
        #expect(parameter?.code == "unknown_parameter")
        #expect(parameter?.message == "unknown parameter 'page_sise' for listOrders, did you mean 'page_size'?")
        let field = #expect(throws: ScalevError.self) {
            try catalog.request("createOrder", ["store_unique_id": "s", "customer_name": "n", "customer_emial": "x@example.com"])
        }
        #expect(field?.message.contains("did you mean 'customer_email'?") == true)
    }

    @Test("path parameters, query and body are placed; required fields are enforced before sending")
    func placement() throws {
        let catalog = try OperationCatalog.bundled()
        let get = try catalog.request("getOrder", ["id": "01J/x y"])
        #expect(get.method == "GET" && get.path == "/v3/orders/01J%2Fx%20y" && get.body == nil)
        let list = try catalog.request("listOrders", ["page_size": 5, "status": ["pending", "shipped"], "is_repeat": false])
        #expect(list.query.map { "\($0.0)=\($0.1)" } == ["is_repeat=false", "page_size=5", "status=pending,shipped"])
        let tags = try catalog.request("updateOrderTags", ["id": "abc", "tags": ["vip"]])
        #expect(tags.method == "POST" && tags.path == "/v3/orders/abc/update-tags" && tags.body == ["tags": ["vip"]])
        let whole = try catalog.request("updateOrderTags", ["id": "abc", "body": ["tags": ["a"]]])
        #expect(whole.body == ["tags": ["a"]])
        let missingPath = #expect(throws: ScalevError.self) { try catalog.request("getOrder", [:]) }
        #expect(missingPath?.code == "missing_required" && missingPath?.errors.map(\.field) == ["id"])
        let missing = #expect(throws: ScalevError.self) { try catalog.request("createOrder", ["customer_name": "", "notes": "x"]) }
        #expect(missing?.code == "missing_required")
        #expect(Set(missing?.errors.map(\.field) ?? []) == ["store_unique_id", "customer_name"])
        #expect(missing?.description.hasPrefix("POST /v3/orders -> not sent missing_required: createOrder needs") == true)
        let status = #expect(throws: ScalevError.self) { try catalog.request("listOrders", ["status": ["pending", "paid"]]) }
        #expect(status?.code == "invalid_parameter" && status?.errors.map(\.field) == ["status"])
        #expect(status?.message.hasPrefix("listOrders: status 'paid' is not one of: draft, pending, confirmed,") == true, "\(status?.message ?? "")")
        let typed = #expect(throws: ScalevError.self) { try catalog.request("listOrders", ["page_size": "many"]) }
        #expect(typed?.message == "listOrders: page_size must be an integer, got a string")
        #expect(try catalog.request("listOrders", ["page_size": "5", "store_id": 3288, "b_uid": "biz"]).query.count == 3)
        let cursor = #expect(throws: ScalevError.self) { try catalog.request("listOrders", ["cursor": "abc"]) }
        #expect(cursor?.message == "unknown parameter 'cursor' for listOrders, did you mean 'next_cursor'?")
        let upload = #expect(throws: ScalevError.self) { try catalog.request("uploadOrders", [:]) }
        #expect(upload?.code == "unsupported_operation")
    }

    @Test("call reaches the sandbox with path parameters and query")
    func callOverHTTP() async throws {
        let sandbox = try await TestSandbox.start()
        let client = sandbox.business
        let page = try await client.call("listOrders", ["page_size": 3], context: sandbox.context())
        let orders = page.value["data"].arrayValue ?? []
        #expect(orders.count == 3)
        let id = try #require(orders.first?["id"].stringValue)
        let order = try await client.call("getOrder", ["id": .string(id)], context: sandbox.context())
        #expect(order.value["id"] == .string(id))
        let missing = await sandbox.expectError { _ = try await client.call("createOrder", ["customer_name": "X"], context: sandbox.context()) }
        #expect(missing?.status == nil && missing?.errors.map(\.field) == ["store_unique_id"])
        try await sandbox.stop()
    }
}
