import ScalevModel

/// What the storefront and customer checkouts share: carts, item resolution, quotes, totals and
/// order placement.
enum CheckoutFlow {
    static let paymentMethodLabels: [(String, String, Bool)] = [
        ("bank_transfer", "Transfer Bank", false), ("va_bca", "BCA Virtual Account", false), ("va_bni", "BNI Virtual Account", false),
        ("qris", "QRIS", false), ("invoice", "Invoice", true), ("gopay", "GoPay", true), ("cod", "Bayar di Tempat (COD)", false),
    ]

    static func emptyCart(id: String, store: String) -> JSON {
        ["id": .string(id), "store_unique_id": .string(store), "item_count": 0, "total": "0.00", "items": []]
    }

    /// Recomputes `item_count` and `total` of a cart.
    static func totals(_ cart: JSON, state: SandboxState) -> JSON {
        var cart = cart
        let items = cart["items"].arrayValue ?? []
        var total = 0
        for item in items {
            let quantity = item["quantity"].intValue ?? 0
            if let variant = state.variants[item["variant_id"].intValue ?? -1] {
                total += OrderFactory.amount(variant["price"]) * quantity
            } else if let option = state.bundlePriceOptions[item["bundle_price_option_id"].intValue ?? -1] {
                total += OrderFactory.amount(option["price"]) * quantity
            }
        }
        cart["item_count"] = .int(items.reduce(0) { $0 + ($1["quantity"].intValue ?? 0) })
        cart["total"] = OrderFactory.money(total)
        return cart
    }

    /// Adds an item (`{type, variant_id | bundle_price_option_id, quantity}`) to a cart.
    static func add(_ body: JSON, to cart: JSON, store: JSON, state: inout SandboxState) throws -> JSON {
        let quantity = body["quantity"].intValue ?? 0
        guard (1...100).contains(quantity) else { throw APIError.invalid("quantity", "must be between 1 and 100") }
        var cart = cart
        var items = cart["items"].arrayValue ?? []
        let type = body["type"].textValue ?? "variant"
        var entry: JSON
        switch type {
        case "variant":
            guard let variant = state.variants[body["variant_id"].intValue ?? -1], state.sells(store: store, variant: variant) else {
                throw APIError.invalid("variant_id", "is not a variant sold in this store")
            }
            entry = ["type": "variant", "variant_id": variant["id"], "bundle_price_option_id": .null, "bundle_price_option_slug": .null,
                "bundle_price_option_unique_id": .null]
        case "bundle_price_option":
            guard let option = state.bundlePriceOptions[body["bundle_price_option_id"].intValue ?? -1],
                option["store_ids"].arrayValue?.contains(store["id"]) ?? false
            else { throw APIError.invalid("bundle_price_option_id", "is not a bundle price option sold in this store") }
            entry = ["type": "bundle_price_option", "variant_id": .null, "bundle_price_option_id": option["id"],
                "bundle_price_option_slug": option["slug"], "bundle_price_option_unique_id": option["unique_id"]]
        default:
            throw APIError.invalid("type", "must be variant or bundle_price_option")
        }
        if let index = items.firstIndex(where: { $0["variant_id"] == entry["variant_id"] && $0["bundle_price_option_id"] == entry["bundle_price_option_id"] }) {
            items[index]["quantity"] = .int(min(100, (items[index]["quantity"].intValue ?? 0) + quantity))
        } else {
            entry["id"] = .int(state.number())
            entry["quantity"] = .int(quantity)
            items.append(entry)
        }
        cart["items"] = .array(items)
        return totals(cart, state: state)
    }

    static func setQuantity(_ cart: JSON, itemID: String, quantity: Int?, state: SandboxState) throws -> JSON {
        var cart = cart
        var items = cart["items"].arrayValue ?? []
        guard let index = items.firstIndex(where: { $0["id"].textValue == itemID }) else { throw APIError.notFound("Cart item") }
        if let quantity {
            guard (1...100).contains(quantity) else { throw APIError.invalid("quantity", "must be between 1 and 100") }
            items[index]["quantity"] = .int(quantity)
        } else {
            items.remove(at: index)
        }
        cart["items"] = .array(items)
        return totals(cart, state: state)
    }

    /// Order lines from checkout `items` (1–50, quantities 1–100) or from a cart.
    static func lines(items: JSON, cart: JSON?, store: JSON, state: SandboxState) throws -> [OrderFactory.Line] {
        let entries: [JSON]
        if let list = items.arrayValue {
            guard (1...50).contains(list.count) else { throw APIError.invalid("items", "must hold 1 to 50 items") }
            entries = list
        } else if let cart, let list = cart["items"].arrayValue, !list.isEmpty {
            entries = list
        } else {
            throw APIError.validation([.init(field: "items", code: "required", message: "give items or have a non-empty cart")])
        }
        var errors: [APIError.FieldError] = []
        var lines: [OrderFactory.Line] = []
        for (index, entry) in entries.enumerated() {
            let quantity = entry["quantity"].intValue ?? 0
            if !(1...100).contains(quantity) {
                errors.append(.init(field: "items[\(index)].quantity", code: "invalid", message: "must be between 1 and 100"))
                continue
            }
            if let id = entry["variant_id"].intValue, (entry["type"].textValue ?? "variant") == "variant" {
                guard let variant = state.variants[id], state.sells(store: store, variant: variant) else {
                    errors.append(.init(field: "items[\(index)].variant_id", code: "invalid", message: "is not a variant sold in this store"))
                    continue
                }
                lines.append(.init(variant: variant, quantity: quantity))
            } else if let id = entry["bundle_price_option_id"].intValue, let option = state.bundlePriceOptions[id],
                option["store_ids"].arrayValue?.contains(store["id"]) ?? false
            {
                lines.append(.init(bundlePriceOption: option, quantity: quantity))
            } else {
                errors.append(.init(field: "items[\(index)]", code: "invalid", message: "names no variant or bundle price option of this store"))
            }
        }
        if !errors.isEmpty { throw APIError.validation(errors) }
        return lines
    }

    /// `{product_price, shipping_cost, other_income, other_income_name, service_fee, gross_revenue}`.
    static func summary(lines: [OrderFactory.Line], courierServiceID: Int?, state: SandboxState) -> JSON {
        let product = lines.reduce(0) { total, line in
            total + OrderFactory.amount((line.variant ?? line.bundlePriceOption ?? [:])["price"]) * line.quantity
        }
        var shipping = 0
        if lines.contains(where: OrderFactory.isPhysical), let id = courierServiceID, let service = state.courierServices[id] {
            shipping = service["base_cost"].intValue ?? 0
        }
        return [
            "product_price": OrderFactory.money(product), "shipping_cost": OrderFactory.money(shipping), "other_income": OrderFactory.money(0),
            "other_income_name": .null, "service_fee": OrderFactory.money(0), "gross_revenue": OrderFactory.money(product + shipping),
        ]
    }

    /// Places an order from a checkout body; physical lines need an address, a location and a courier service.
    static func place(
        lines: [OrderFactory.Line], store: JSON, customer: JSON, body: JSON, address: (String, Int?, String?),
        state: inout SandboxState, now: Double
    ) throws -> JSON {
        let method = body["payment_method"].textValue ?? "payment_link"
        guard OrderFactory.paymentMethods.contains(method) else { throw APIError.invalid("payment_method", "must be one of the payment method codes") }
        var shipment: OrderFactory.Shipment?
        if lines.contains(where: OrderFactory.isPhysical) {
            var errors: [APIError.FieldError] = []
            if address.0.isEmpty { errors.append(.init(field: "shipping_address", code: "required", message: "is required for physical products")) }
            let location = address.1.flatMap { state.locations[$0] }
            if location == nil { errors.append(.init(field: "location_id", code: "required", message: "must name a location for physical products")) }
            let courier = body["courier_service_id"].intValue.flatMap { state.courierServices[$0] }
            if courier == nil { errors.append(.init(field: "courier_service_id", code: "required", message: "must name a courier service for physical products")) }
            let warehouseKey = body["warehouse_unique_id"].textValue
            let warehouse = warehouseKey.flatMap { key in state.warehouses.first { $0["unique_id"].textValue == key } } ?? state.warehouses.ascending.first
            if !errors.isEmpty { throw APIError.validation(errors) }
            if let location, let courier, let warehouse {
                shipment = OrderFactory.Shipment(
                    address: address.0, location: location, postalCode: address.2, warehouse: warehouse, courierService: courier,
                    shippingCost: courier["base_cost"].intValue ?? 0, providerCode: body["courier_aggregator_code"].textValue)
            }
        }
        var fields: [String: JSON] = [:]
        if !body["notes"].isNull { fields["notes"] = body["notes"] }
        var order = OrderFactory.make(
            state: &state, store: store, customer: customer, lines: lines, paymentMethod: method, shipment: shipment, createdAt: now, fields: fields)
        order["platform"] = "scalev"
        order["is_from_form"] = true
        OrderFactory.insert(order, into: &state)
        state.emit("order.created", order)
        if let token = body["checkout_intent_token"].textValue {
            CheckoutIntentRoutes.complete(token: token, orderID: order["id"], state: &state, now: now)
        }
        return order
    }

    /// The buyer-facing order (StorefrontPublicOrder): `settled` shows as `paid`.
    static func publicOrder(_ order: JSON) -> JSON {
        var view: [String: JSON] = [:]
        for key in [
            "id", "secret_slug", "public_order_url", "payment_url", "order_id", "status", "payment_status", "payment_method", "gross_revenue",
            "product_price", "shipping_cost", "pg_payment_info", "epayment_provider", "paid_time", "transferproof_url", "customer_id",
            "status_history", "shipment_status_history", "destination_address", "product_discount", "shipping_discount", "other_income",
            "payment_link_income", "created_at", "courier_service", "shipment_receipt", "awb_status",
        ] { view[key] = order[key] }
        if view["payment_status"] == "settled" { view["payment_status"] = "paid" }
        view["redirect_url"] = .string((order["public_order_url"].textValue ?? "") + "/success")
        view["orderlines"] = .array((order["orderlines"].arrayValue ?? []).map { line in
            [
                "quantity": line["quantity"], "product_name": line["product_name"], "item_type": line["item_type"],
                "variant_option1_value": line["variant_option1_value"], "variant_option2_value": line["variant_option2_value"],
                "variant_option3_value": line["variant_option3_value"], "variant_price": line["variant_price"],
                "variant_id": line["variant_id"],
            ]
        })
        view["store"] = order["store"]
        view["customer"] = ["email": order["customer_email"]]
        return .object(view)
    }
}
