import ScalevModel

/// Collects routes; business routes take their scopes, required body fields and body kind from the
/// catalog when the catalog lists their method and path.
struct RouteRegistry {
    let catalog: OperationCatalog
    var table = RouteTable()

    mutating func business(_ method: String, _ template: String, scopes: [String] = [], handler: @escaping Route.Handler) {
        let operation = catalog.operation(method: method, template: template)
        table.add(
            Route(
                method, template, access: .business, scopes: operation?.scopes ?? scopes,
                requiredFields: operation?.body?.requiredFields ?? [], multipart: operation?.isMultipart ?? false,
                operationID: operation?.operationID, handler: handler))
    }

    mutating func storefront(_ method: String, _ template: String, required: [String] = [], handler: @escaping Route.Handler) {
        table.add(Route(method, "/v3/stores/{store_id}/public" + template, access: .storefront, requiredFields: required, handler: handler))
    }

    mutating func customer(_ method: String, _ template: String, required: [String] = [], handler: @escaping Route.Handler) {
        table.add(Route(method, "/v3/stores/{store_id}/customers/me" + template, access: .customer, requiredFields: required, handler: handler))
    }

    mutating func open(_ method: String, _ template: String, required: [String] = [], handler: @escaping Route.Handler) {
        table.add(Route(method, template, access: .open, requiredFields: required, handler: handler))
    }

    mutating func v2(_ method: String, _ template: String, required: [String] = [], handler: @escaping Route.Handler) {
        table.add(Route(method, template, access: .v2, requiredFields: required, handler: handler))
    }
}
