extension OperationCatalog {
    /// The operation a request with this method and concrete path (`/v3/orders/42/actions`, any
    /// query ignored) reaches: literal segments match exactly, `{name}` segments match any one
    /// segment, and where two match (`/v3/orders/tags`, `/v3/orders/{id}`) the one with more
    /// literal segments wins.
    public func operation(method: String, path: String) -> CatalogOperation? {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        let method = method.uppercased()
        var best: (operation: CatalogOperation, literals: Int)?
        for operation in operations where operation.method == method {
            let template = operation.path.split(separator: "/")
            guard template.count == segments.count else { continue }
            var literals = 0
            var matches = true
            for (pattern, segment) in zip(template, segments) {
                if pattern.hasPrefix("{") && pattern.hasSuffix("}") { continue }
                guard pattern == segment else { matches = false; break }
                literals += 1
            }
            if matches, literals > best?.literals ?? -1 { best = (operation, literals) }
        }
        return best?.operation
    }
}
