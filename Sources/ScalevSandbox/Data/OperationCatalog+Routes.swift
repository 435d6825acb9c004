import ScalevModel

/// What the sandbox's routes read of the catalog.
extension OperationCatalog {
    /// Every scope named by an operation, plus the checkout-intent scopes of the routes the catalog
    /// does not list.
    var allScopes: Set<String> {
        Set(operations.flatMap(\.scopes)).union(["checkout_intent:list", "checkout_intent:read", "checkout_intent:follow_up"])
    }

    /// The operation with this method and (parameter-name-insensitive) path template.
    func operation(method: String, template: String) -> CatalogOperation? {
        let shape = Route.shape(method: method, template: template)
        return operations.first { Route.shape(method: $0.method, template: $0.path) == shape }
    }
}
