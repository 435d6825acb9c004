import ScalevModel

/// Legacy v2 (`/v2/...`): orders, products, bundles and stores with the `{code, status, data}`
/// envelope, `last_id` cursor pagination for orders and page-number pagination for products,
/// bundles and stores. Limited to 30 requests per 5 s per client address.
enum V2Routes {
    static func register(_ registry: inout RouteRegistry) {
        registry.v2("GET", "/v2/orders") { request, state in
            let size = request.pageSize()
            let status = request.query["status"] ?? ""
            // The orders below `last_id`, newest first, and one more to know whether there is a next.
            let end = request.query["last_id"].flatMap { $0.isEmpty ? nil : state.orders.lowerBound(ResourceTable.sortKey($0)) }
            let orders = state.orders.indices(below: end ?? state.orders.count, limit: size + 1) { order in
                status.isEmpty || order["status"].textValue == status
            }.compactMap(state.orders.record(at:))
            let page = Array(orders.prefix(size))
            return ok(["results": .array(page), "has_next": .bool(orders.count > size), "last_id": page.last?["id"] ?? .null, "page_size": .int(size)])
        }
        registry.v2("GET", "/v2/orders/{id}") { request, state in ok(try state.order(request.param("id"))) }
        for path in ["/v2/order", "/v2/orders"] {
            registry.v2("POST", path, required: ["store_unique_id", "customer_name"]) { request, state in
                let reply = try OrderRoutes.create(request, &state)
                guard case .json(let order) = reply.body else { return reply }
                return SandboxReply(status: 201, body: .json(["code": 201, "status": "Created", "data": order]))
            }
        }
        registry.v2("GET", "/v2/products") { request, state in ok(paged(state.products.descending.map(state.productWithVariants), request)) }
        registry.v2("GET", "/v2/products/simplified") { _, state in
            ok(.array(state.products.descending.map { ["id": $0["id"], "name": $0["name"], "item_type": $0["item_type"]] }))
        }
        registry.v2("GET", "/v2/products/{id}") { request, state in
            guard let product = state.products[request.param("id")] else { throw APIError.notFound("Product") }
            return ok(state.productWithVariants(product))
        }
        registry.v2("GET", "/v2/bundles") { request, state in ok(paged(state.bundles.descending, request)) }
        registry.v2("GET", "/v2/bundles/count") { _, state in ok(["count": .int(state.bundles.count)]) }
        registry.v2("GET", "/v2/bundles/simplified") { _, state in
            ok(.array(state.bundles.descending.map { ["id": $0["id"], "name": $0["name"], "bundle_price_options": $0["bundle_price_options"]] }))
        }
        registry.v2("GET", "/v2/bundles/{id}") { request, state in
            guard let bundle = state.bundles[request.param("id")] else { throw APIError.notFound("Bundle") }
            return ok(bundle)
        }
        registry.v2("GET", "/v2/stores") { request, state in ok(paged(state.stores.descending, request)) }
        registry.v2("GET", "/v2/stores/simplified") { request, state in
            let search = request.query["search"]?.lowercased() ?? ""
            return ok(.array(state.stores.ascending.filter { search.isEmpty || ($0["name"].textValue ?? "").lowercased().contains(search) }
                .map { ["id": $0["id"], "unique_id": $0["unique_id"], "name": $0["name"], "payment_methods": $0["payment_methods"]] }))
        }
        registry.v2("GET", "/v2/stores/{store_id}/products") { request, state in
            guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
            return ok(paged(state.products.descending.filter { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }, request))
        }
        registry.v2("GET", "/v2/stores/{store_id}/bundles") { request, state in
            guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
            return ok(paged(state.bundles.descending.filter { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }, request))
        }
    }

    static func ok(_ data: JSON) -> SandboxReply { .ok(["code": 200, "status": "Success", "data": data]) }

    /// Page-number pagination: `page` (from 1) and `page_size` (max 25).
    static func paged(_ items: [JSON], _ request: SandboxRequest) -> JSON {
        let size = request.pageSize()
        let page = max(1, Int(request.query["page"] ?? "1") ?? 1)
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: size)
        let start = overflow ? items.count : min(items.count, offset)
        let end = min(items.count, start + size)
        return ["results": .array(Array(items[start..<end])), "page": .int(page), "page_size": .int(size), "total": .int(items.count),
            "has_next": .bool(end < items.count)]
    }
}
