import ScalevModel

/// Signed-in customer routes under `/v3/stores/{store_id}/customers/me`: profile, addresses, cart,
/// checkout and order history. Subscriptions and courses live in their own files.
enum CustomerRoutes {
    static func register(_ registry: inout RouteRegistry) {
        registry.customer("GET", "") { request, state in .ok(try profile(request, state)) }
        registry.customer("PATCH", "") { request, state in
            let session = try session(request)
            guard var customer = state.customers[session.customerID] else { throw APIError.notFound("Customer") }
            if !request.body("email").isNull { throw APIError.invalid("email", "is read-only") }
            for field in ["name", "phone", "date_of_birth", "sex", "is_unsubscribe"] where !request.body(field).isNull {
                customer[field] = request.body(field)
            }
            customer["last_updated_at"] = .string(Timestamp.format(request.now))
            state.customers[session.customerID] = customer
            return .ok(try profile(request, state))
        }
        registry.customer("POST", "/set-new-password", required: ["password"]) { request, state in
            let session = try session(request)
            guard let password = request.body("password").textValue, password.count >= 8 else {
                throw APIError.invalid("password", "must be at least 8 characters")
            }
            for (key, account) in state.accounts where account.customerID == session.customerID { state.accounts[key]?.password = password }
            return .ok(["message": "Password updated"])
        }

        // Addresses.
        registry.customer("GET", "/addresses") { request, state in
            .ok(try CursorPage.page(addresses(request, state), key: CommerceRoutes.idKey, request: request))
        }
        registry.customer("POST", "/addresses", required: ["name", "address", "location_id"]) { request, state in
            let session = try session(request)
            guard let location = state.locations[request.body("location_id").intValue ?? -1] else {
                throw APIError.invalid("location_id", "does not match a location")
            }
            let id = state.number()
            let address: JSON = [
                "id": .int(id), "customer_id": .int(session.customerID), "name": request.body("name"), "phone": request.body("phone"),
                "email": request.body("email"), "address": request.body("address"), "postal_code": request.body("postal_code"),
                "notes": request.body("notes"),
                "location": ["id": location["id"], "subdistrict_name": location["subdistrict_name"], "city_name": location["city_name"], "province_name": location["province_name"]],
            ]
            state.addresses[id] = address
            return .ok(address)
        }
        registry.customer("GET", "/addresses/{address_id}") { request, state in .ok(try address(request, state)) }
        registry.customer("PATCH", "/addresses/{address_id}") { request, state in
            var address = try address(request, state)
            for field in ["name", "phone", "email", "address", "postal_code", "notes"] where !request.body(field).isNull { address[field] = request.body(field) }
            state.addresses[request.param("address_id")] = address
            return .ok(address)
        }
        registry.customer("DELETE", "/addresses/{address_id}") { request, state in
            _ = try address(request, state)
            state.addresses[request.param("address_id")] = nil
            return .noContent
        }

        // Cart.
        registry.customer("GET", "/cart") { request, state in .ok(try cart(request, &state)) }
        registry.customer("POST", "/cart/items") { request, state in
            let current = try cart(request, &state)
            let updated = try CheckoutFlow.add(request.json ?? [:], to: current, store: try StorefrontRoutes.store(request, state), state: &state)
            state.customerCarts[try cartKey(request)] = updated
            return .created(updated)
        }
        registry.customer("PATCH", "/cart/items/{item_id}") { request, state in
            guard let quantity = request.body("quantity").intValue else { throw APIError.missing(["quantity"]) }
            let updated = try CheckoutFlow.setQuantity(try cart(request, &state), itemID: request.param("item_id"), quantity: quantity, state: state)
            state.customerCarts[try cartKey(request)] = updated
            return .ok(updated)
        }
        registry.customer("DELETE", "/cart/items/{item_id}") { request, state in
            let updated = try CheckoutFlow.setQuantity(try cart(request, &state), itemID: request.param("item_id"), quantity: nil, state: state)
            state.customerCarts[try cartKey(request)] = updated
            return .ok(updated)
        }

        // Checkout.
        registry.customer("GET", "/checkout/addresses") { request, state in .list(try addresses(request, state)) }
        registry.customer("GET", "/checkout/payment-methods") { request, state in
            let store = try StorefrontRoutes.store(request, state)
            return .ok([
                "payment_methods": store["payment_methods"],
                "payment_accounts": [["id": 1, "method": "bank_transfer", "account_number": "1234567890", "account_holder": "Toko Lunas",
                    "financial_entity_code": "bca", "financial_entity_name": "BCA"]],
            ])
        }
        registry.customer("POST", "/checkout/shipping-options") { request, state in
            guard let location = request.body("location_id").intValue, state.locations[location] != nil else {
                throw APIError.invalid("location_id", "does not match a location")
            }
            return .list(CommerceRoutes.quotes(state, weight: 1000))
        }
        registry.customer("POST", "/checkout/summary") { request, state in
            let store = try StorefrontRoutes.store(request, state)
            let lines = try CheckoutFlow.lines(items: request.body("items"), cart: state.customerCarts[try cartKey(request)], store: store, state: state)
            return .ok(CheckoutFlow.summary(lines: lines, courierServiceID: request.body("courier_service_id").intValue, state: state))
        }
        registry.customer("POST", "/checkout") { request, state in try checkout(request, &state) }

        // Orders.
        registry.customer("GET", "/orders") { request, state in
            let session = try session(request)
            return .ok(try CursorPage.page(
                state.orders,
                where: { $0["customer_id"].intValue == session.customerID && $0["store"]["unique_id"].textValue == session.storeUniqueID },
                transform: customerOrder, key: { $0["id"].textValue ?? "" }, request: request))
        }
        registry.customer("GET", "/orders/{id}") { request, state in
            let session = try session(request)
            guard let order = state.orders[request.param("id")], order["customer_id"].intValue == session.customerID else {
                throw APIError.notFound("Order")
            }
            return .ok(customerOrder(order))
        }
        SubscriptionRoutes.register(&registry)
        CourseRoutes.register(&registry)
    }

    static let checkoutFields: Set<String> = [
        "checkout_intent_token", "items", "cart_id", "address_id", "address", "location_id", "postal_code", "payment_method",
        "courier_service_id", "warehouse_unique_id", "courier_aggregator_code", "discount_code_code", "notes",
    ]

    static func checkout(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let session = try session(request)
        let body = request.json ?? [:]
        let extra = (body.objectValue ?? [:]).keys.filter { !checkoutFields.contains($0) }.sorted()
        if !extra.isEmpty { throw APIError.validation(extra.map { .init(field: $0, code: "additional_property", message: "is not allowed") }) }
        let store = try StorefrontRoutes.store(request, state)
        let key = try cartKey(request)
        var cart: JSON?
        if let cartID = body["cart_id"].textValue {
            guard let own = state.customerCarts[key], own["id"].textValue == cartID else { throw APIError.invalid("cart_id", "is not your cart in this store") }
            cart = own
        }
        let lines = try CheckoutFlow.lines(items: body["items"], cart: cart, store: store, state: state)
        guard let customer = state.customers[session.customerID] else { throw APIError.notFound("Customer") }
        var address = (body["address"].textValue ?? "", body["location_id"].intValue, body["postal_code"].textValue)
        if let addressID = body["address_id"].intValue {
            guard let saved = state.addresses[addressID], saved["customer_id"].intValue == session.customerID else {
                throw APIError.invalid("address_id", "is not one of your addresses")
            }
            address = (saved["address"].textValue ?? "", saved["location"]["id"].intValue, saved["postal_code"].textValue)
        }
        let order = try CheckoutFlow.place(lines: lines, store: store, customer: customer, body: body, address: address, state: &state, now: request.now)
        if cart != nil || state.customerCarts[key] != nil, body["cart_id"].textValue != nil {
            state.customerCarts[key] = CheckoutFlow.emptyCart(id: state.customerCarts[key]?["id"].textValue ?? key, store: session.storeUniqueID)
        }
        return .created(CheckoutFlow.publicOrder(order))
    }

    static func session(_ request: SandboxRequest) throws -> CustomerSession {
        guard let session = request.customerSession else { throw APIError.unauthorized("Authentication required", code: "not_authenticated") }
        return session
    }

    static func profile(_ request: SandboxRequest, _ state: SandboxState) throws -> JSON {
        let session = try session(request)
        guard let customer = state.customers[session.customerID], let store = state.store(session.storeUniqueID) else {
            throw APIError.notFound("Customer")
        }
        return [
            "customer": customer,
            "store": ["id": store["id"], "unique_id": store["unique_id"], "name": store["name"], "is_customer_otp_required": store["is_customer_otp_required"]],
            "is_generated_password_reset": false,
        ]
    }

    static func addresses(_ request: SandboxRequest, _ state: SandboxState) throws -> [JSON] {
        let session = try session(request)
        return state.addresses.descending.filter { $0["customer_id"].intValue == session.customerID }
    }

    static func address(_ request: SandboxRequest, _ state: SandboxState) throws -> JSON {
        let session = try session(request)
        guard let address = state.addresses[request.param("address_id")], address["customer_id"].intValue == session.customerID else {
            throw APIError.notFound("Address")
        }
        return address
    }

    static func cartKey(_ request: SandboxRequest) throws -> String {
        let session = try session(request)
        return "\(session.customerID)|\(session.storeUniqueID)"
    }

    static func cart(_ request: SandboxRequest, _ state: inout SandboxState) throws -> JSON {
        let key = try cartKey(request)
        if let cart = state.customerCarts[key] { return cart }
        let cart = CheckoutFlow.emptyCart(id: state.random.uuidV4(), store: request.param("store_id"))
        state.customerCarts[key] = cart
        return cart
    }

    static func customerOrder(_ order: JSON) -> JSON {
        var view = CheckoutFlow.publicOrder(order)
        view["customer"] = order["customer"]
        var variants: [String: JSON] = [:]
        for line in order["orderlines"].arrayValue ?? [] { variants[line["product_name"].textValue ?? ""] = line["quantity"] }
        view["final_variants"] = .object(variants)
        for name in OrderFactory.statuses { view["\(name)_time"] = order["\(name)_time"] }
        return view
    }
}
