import ScalevModel
import Testing

@Suite("Operation catalog")
struct OperationCatalogTests {
    @Test("the bundled catalog has all 240 operations")
    func bundled() throws {
        let catalog = try OperationCatalog.bundled()
        #expect(catalog.operations.count == 240)
        #expect(catalog.operation("listOrders")?.path == "/v3/orders")
        #expect(catalog.operation("getOrder")?.pathParameters.map(\.name) == ["id"])
        #expect(catalog.operation("listOrders")?.isPaginated == true)
    }

    @Test("the nearest operation id, case, _ and - ignored; nothing when far")
    func suggestion() throws {
        let catalog = try OperationCatalog.bundled()
        for (name, expected) in [("list_order", "listOrders"), ("listorders", "listOrders"), ("getOrdr", "getOrder"), ("create_order", "createOrder")] {
            #expect(catalog.suggestion(for: name) == expected)
        }
        #expect(catalog.suggestion(for: "frobnicateTheWidgets") == nil)
    }

    @Test("a concrete path finds its operation; literal segments beat parameters")
    func byPath() throws {
        let catalog = try OperationCatalog.bundled()
        #expect(catalog.operation(method: "GET", path: "/v3/orders/tags")?.operationID == "listOrderTags")
        #expect(catalog.operation(method: "get", path: "/v3/orders/ord_42?x=1")?.operationID == "getOrder")
        #expect(catalog.operation(method: "POST", path: "/v3/orders/42/update-tags")?.operationID == "updateOrderTags")
        #expect(catalog.operation(method: "DELETE", path: "/v3/orders/42") == nil)
        #expect(catalog.operation(method: "GET", path: "/v3/checkout-intents") == nil)
    }
}
