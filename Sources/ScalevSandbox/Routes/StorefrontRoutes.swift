import ScalevModel

/// Storefront public routes (`X-Scalev-Storefront-Api-Key`) under `/v3/stores/{store_id}/public`:
/// catalog cards, product detail, payment methods, locations, guest cart (with
/// `X-Scalev-Guest-Token`), shipping options, summary, checkout and the buyer's order page.
enum StorefrontRoutes {
    static let guestHeader = "X-Scalev-Guest-Token"

    static func register(_ registry: inout RouteRegistry) {
        registry.storefront("GET", "/items") { request, state in
            let store = try store(request, state)
            return .ok(try CursorPage.page(cards(store, state), key: { $0["key"].textValue ?? "" }, request: request))
        }
        registry.storefront("GET", "/items/count") { request, state in
            .ok(["total": .int(cards(try store(request, state), state).count)])
        }
        registry.storefront("GET", "/products/{slug}") { request, state in
            let store = try store(request, state)
            guard let product = state.products.first(where: { $0["slug"].textValue == request.param("slug") }),
                product["store_ids"].arrayValue?.contains(store["id"]) ?? false
            else { throw APIError.notFound("Product") }
            return .ok(state.productWithVariants(product))
        }
        registry.storefront("GET", "/bundle-price-options/{slug}") { request, state in
            let store = try store(request, state)
            guard let option = state.bundlePriceOptions.first(where: { $0["slug"].textValue == request.param("slug") }),
                option["store_ids"].arrayValue?.contains(store["id"]) ?? false
            else { throw APIError.notFound("Bundle price option") }
            return .ok(option)
        }
        registry.storefront("GET", "/categories") { _, _ in .list([]) }
        registry.storefront("GET", "/payment-methods") { request, state in
            let store = try store(request, state)
            let enabled = Set(store["payment_methods"].stringList)
            return .list(CheckoutFlow.paymentMethodLabels.filter { enabled.contains($0.0) }.map { method in
                ["code": .string(method.0), "label": .string(method.1), "description": .null, "enabled": true,
                    "requires_redirect": .bool(method.2), "metadata": [:]]
            })
        }
        registry.storefront("GET", "/locations") { request, state in
            var locations = state.locations.ascending
            if let search = request.query["search"]?.lowercased(), !search.isEmpty {
                locations = locations.filter { ($0["display"].textValue ?? "").lowercased().contains(search) }
            }
            let view = locations.map { ["id": $0["id"], "subdistrict_name": $0["subdistrict_name"], "city_name": $0["city_name"],
                "province_name": $0["province_name"], "display": $0["display"]] as JSON }
            return .ok(try CursorPage.page(view, key: CommerceRoutes.idKey, request: request, maximum: 100))
        }
        registry.storefront("GET", "/variants/{variant_id}/availability") { request, state in
            let store = try store(request, state)
            guard let variant = state.variants[request.param("variant_id")], state.sells(store: store, variant: variant) else {
                throw APIError.notFound("Variant")
            }
            let stock = variant["stock"].intValue
            let status = stock.map { $0 == 0 ? "out_of_stock" : ($0 < 10 ? "low_stock" : "in_stock") } ?? "in_stock"
            return .ok(["variant_id": variant["id"], "available": .bool(stock.map { $0 > 0 } ?? true),
                "available_qty": stock.map(JSON.int) ?? .null, "stock_status": .string(status)])
        }

        // Guest cart.
        registry.storefront("GET", "/cart") { request, state in
            let (token, cart, isNew) = try guestCart(request, &state)
            return reply(.ok(cart), token: token, isNew: isNew)
        }
        registry.storefront("POST", "/cart/items") { request, state in
            let (token, cart, isNew) = try guestCart(request, &state)
            let updated = try CheckoutFlow.add(request.json ?? [:], to: cart, store: try store(request, state), state: &state)
            state.guestCarts[token] = updated
            return reply(.created(updated), token: token, isNew: isNew)
        }
        registry.storefront("PATCH", "/cart/items/{item_id}") { request, state in
            let (token, cart) = try existingGuestCart(request, state)
            guard let quantity = request.body("quantity").intValue else { throw APIError.missing(["quantity"]) }
            let updated = try CheckoutFlow.setQuantity(cart, itemID: request.param("item_id"), quantity: quantity, state: state)
            state.guestCarts[token] = updated
            return .ok(updated)
        }
        registry.storefront("DELETE", "/cart/items/{item_id}") { request, state in
            let (token, cart) = try existingGuestCart(request, state)
            let updated = try CheckoutFlow.setQuantity(cart, itemID: request.param("item_id"), quantity: nil, state: state)
            state.guestCarts[token] = updated
            return .ok(updated)
        }

        // Checkout.
        registry.storefront("POST", "/checkout/shipping-options") { request, state in
            let destination = request.body("destination")
            guard let locationID = destination["location_id"].intValue, !destination["postal_code"].isNull else {
                throw APIError.missing(["destination.location_id", "destination.postal_code"].filter { destination[String($0.split(separator: ".")[1])].isNull })
            }
            guard state.locations[locationID] != nil else { throw APIError.invalid("destination.location_id", "does not match a location") }
            return .list(CommerceRoutes.quotes(state, weight: 1000))
        }
        registry.storefront("POST", "/checkout/summary") { request, state in
            let store = try store(request, state)
            let cart = request.headers["x-scalev-guest-token"].flatMap { state.guestCarts[$0] }
            let lines = try CheckoutFlow.lines(items: request.body("items"), cart: cart, store: store, state: state)
            let courier = request.body("courier_service_id").intValue ?? request.body("selected_shipping_option")["courier_service_id"].intValue
            return .ok(CheckoutFlow.summary(lines: lines, courierServiceID: courier, state: state))
        }
        registry.storefront("POST", "/checkout", required: ["customer_name", "customer_email"]) { request, state in
            try checkout(request, &state)
        }
        registry.storefront("GET", "/orders/{secret_slug}") { request, state in
            .ok(CheckoutFlow.publicOrder(try publicOrder(request, state)))
        }
        registry.storefront("POST", "/orders/{secret_slug}/payment") { request, state in
            // Idempotent: the order's payment request is made once and returned again after.
            .ok(CheckoutFlow.publicOrder(try publicOrder(request, state)))
        }
        registry.storefront("PATCH", "/orders/{secret_slug}") { request, state in
            var order = try publicOrder(request, state)
            for field in ["transferproof_url", "transfer_time", "financial_entity_id", "payment_account_holder", "payment_account_number", "notes"]
            where !request.body(field).isNull { order[field] = request.body(field) }
            OrderFactory.insert(order, into: &state)
            return .ok(CheckoutFlow.publicOrder(order))
        }
    }

    static let checkoutFields: Set<String> = [
        "customer_name", "customer_email", "items", "customer_phone", "shipping_address", "shipping_province", "shipping_city",
        "shipping_subdistrict", "shipping_postal_code", "shipping_location_id", "location_id", "payment_method", "courier_service_id",
        "warehouse_unique_id", "courier_aggregator_code", "discount_code_code", "notes", "checkout_intent_token",
    ]

    static func checkout(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let body = request.json ?? [:]
        let extra = (body.objectValue ?? [:]).keys.filter { !checkoutFields.contains($0) }.sorted()
        if !extra.isEmpty {
            throw APIError.validation(extra.map { .init(field: $0, code: "additional_property", message: "is not allowed") })
        }
        let name = body["customer_name"].textValue ?? ""
        let email = body["customer_email"].textValue ?? ""
        var errors: [APIError.FieldError] = []
        if name.count > 200 { errors.append(.init(field: "customer_name", code: "too_long", message: "must be at most 200 characters")) }
        if email.count > 254 || !email.contains("@") { errors.append(.init(field: "customer_email", code: "invalid", message: "is not an email address")) }
        if (body["customer_phone"].textValue ?? "").count > 20 { errors.append(.init(field: "customer_phone", code: "too_long", message: "must be at most 20 characters")) }
        if !errors.isEmpty { throw APIError.validation(errors) }
        let store = try store(request, state)
        let token = request.headers["x-scalev-guest-token"]
        let cart = token.flatMap { state.guestCarts[$0] }
        let lines = try CheckoutFlow.lines(items: body["items"], cart: cart, store: store, state: state)
        let customer = state.customer(name: name, email: email, phone: body["customer_phone"].textValue, now: request.now)
        let location = body["shipping_location_id"].intValue ?? body["location_id"].intValue
        let order = try CheckoutFlow.place(
            lines: lines, store: store, customer: customer, body: body,
            address: (body["shipping_address"].textValue ?? "", location, body["shipping_postal_code"].textValue), state: &state, now: request.now)
        if let token, let store = store["unique_id"].textValue {
            state.guestCarts[token] = CheckoutFlow.emptyCart(id: state.guestCarts[token]?["id"].textValue ?? token, store: store)
        }
        return .created(CheckoutFlow.publicOrder(order))
    }

    static func store(_ request: SandboxRequest, _ state: SandboxState) throws -> JSON {
        guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
        return store
    }

    /// Catalog cards: products and bundle price options sold in the store.
    static func cards(_ store: JSON, _ state: SandboxState) -> [JSON] {
        let products: [JSON] = state.products.descending.filter { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }.map { product in
            let prices = state.variants.ascending.filter { $0["product_id"] == product["id"] }.map { OrderFactory.amount($0["price"]) }
            return [
                "key": .string("p\(product["id"].textValue ?? "")"), "id": product["id"], "slug": product["slug"], "name": product["name"],
                "description": product["description"], "meta_thumbnail": .null, "entity_type": "product", "item_type": product["item_type"],
                "is_multiple": product["is_multiple"], "option1_name": product["option1_name"], "option2_name": .null, "option3_name": .null,
                "in_stock": true, "price_range": ["min": OrderFactory.money(prices.min() ?? 0), "max": OrderFactory.money(prices.max() ?? 0)],
                "images": [], "taxonomy": .null, "created_at": product["created_at"],
            ]
        }
        let options: [JSON] = state.bundlePriceOptions.descending.filter { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }.map { option in
            [
                "key": .string("b\(option["id"].textValue ?? "")"), "id": option["id"], "slug": option["slug"], "name": option["name"],
                "description": .null, "meta_thumbnail": .null, "entity_type": "bundle_price_option", "item_type": option["item_type"],
                "is_multiple": false, "option1_name": .null, "option2_name": .null, "option3_name": .null, "in_stock": true,
                "price_range": ["min": option["price"], "max": option["price"]], "images": [], "taxonomy": .null, "created_at": .null,
            ]
        }
        return products + options
    }

    /// The guest cart named by the request's token, or a new one (with a new token) when there is
    /// no token or the token is unknown.
    static func guestCart(_ request: SandboxRequest, _ state: inout SandboxState) throws -> (String, JSON, Bool) {
        let store = request.param("store_id")
        if let token = request.headers["x-scalev-guest-token"], let cart = state.guestCarts[token] {
            guard cart["store_unique_id"].textValue == store else { throw APIError.notFound("Cart") }
            return (token, cart, false)
        }
        let token = state.secrets.uuid()
        let cart = CheckoutFlow.emptyCart(id: state.random.uuidV4(), store: store)
        state.guestCarts[token] = cart
        return (token, cart, true)
    }

    static func existingGuestCart(_ request: SandboxRequest, _ state: SandboxState) throws -> (String, JSON) {
        guard let token = request.headers["x-scalev-guest-token"] else {
            throw APIError.unauthorized("Missing X-Scalev-Guest-Token", code: "missing_guest_token")
        }
        guard let cart = state.guestCarts[token], cart["store_unique_id"].textValue == request.param("store_id") else {
            throw APIError.notFound("Cart")
        }
        return (token, cart)
    }

    static func reply(_ reply: SandboxReply, token: String, isNew: Bool) -> SandboxReply {
        isNew ? reply.with(header: guestHeader, token) : reply
    }

    static func publicOrder(_ request: SandboxRequest, _ state: SandboxState) throws -> JSON {
        guard let id = state.ordersBySlug[request.param("secret_slug")], let order = state.orders[id],
            order["store"]["unique_id"].textValue == request.param("store_id")
        else { throw APIError.notFound("Order") }
        return order
    }
}
