import ScalevModel

/// Business order routes: list with filters, create, get, edit, bulk status and delete, tags,
/// actions, digital re-sends, statistics and the small lookups.
enum OrderRoutes {
    static func register(_ registry: inout RouteRegistry) {
        registry.business("GET", "/v3/orders", handler: list)
        registry.business("POST", "/v3/orders", handler: create)
        registry.business("GET", "/v3/orders/statistics", handler: statistics)
        registry.business("POST", "/v3/orders/change-status", handler: changeStatus)
        registry.business("POST", "/v3/orders/delete", handler: delete)
        registry.business("POST", "/v3/orders/mark-not-spam", handler: markNotSpam)
        registry.business("GET", "/v3/orders/tags") { _, state in
            .list(Set(state.orders.ascending.flatMap { $0["tags"].stringList }).sorted().map(JSON.string))
        }
        for kind in ["sources", "mediums", "campaigns", "contents", "terms"] {
            registry.business("GET", "/v3/orders/utm-\(kind)") { _, _ in .ok(["data": []]) }
        }
        registry.business("GET", "/v3/orders/pg-reference-id/{pg_reference_id}", scopes: ["order:read"]) { request, state in
            let reference = request.param("pg_reference_id")
            guard let order = state.orders.first(where: { $0["pg_reference_id"].textValue == reference }) else {
                throw APIError.notFound("Order")
            }
            return .ok(["id": order["id"]])
        }
        registry.business("GET", "/v3/orders/pg-reference-ids", scopes: ["order:read"]) { request, state in
            let references = JSON.string(request.query["pg_reference_ids"] ?? "").stringList
            guard (1...25).contains(references.count) else { throw APIError.invalid("pg_reference_ids", "give 1 to 25 references") }
            var map: [String: JSON] = [:]
            for order in state.orders.ascending {
                if let reference = order["pg_reference_id"].textValue, references.contains(reference) {
                    map[reference] = ["id": order["id"], "order_id": order["order_id"]]
                }
            }
            return .ok(.object(map))
        }
        registry.business("GET", "/v3/orders/{id}") { request, state in .ok(try state.order(request.param("id"))) }
        registry.business("PATCH", "/v3/orders/{id}", handler: update)
        registry.business("GET", "/v3/orders/{id}/actions") { request, state in
            let order = try state.order(request.param("id"))
            let types = Set(order["orderlines"].arrayValue?.compactMap { $0["item_type"].textValue } ?? [])
            return .ok([
                "id": order["id"], "order_id": order["order_id"],
                "is_digital_product_present": .bool(types.contains("digital") || types.contains("license")),
                "is_lms_product_present": .bool(types.contains("course")),
                "is_physical_product_present": .bool(types.contains("physical")),
                "public_order_url": order["public_order_url"], "payment_url": order["payment_url"],
            ])
        }
        registry.business("POST", "/v3/orders/{id}/update-tags") { request, state in
            var order = try state.order(request.param("id"))
            guard let tags = request.body("tags").arrayValue, tags.allSatisfy({ $0.textValue != nil }) else {
                throw APIError.invalid("tags", "must be a list of strings")
            }
            order["tags"] = .array(tags)
            order["last_updated_at"] = .string(Timestamp.format(request.now))
            OrderFactory.insert(order, into: &state)
            state.emit("order.updated", order)
            return .ok(order)
        }
        registry.business("POST", "/v3/orders/{id}/send-product-digital") { request, state in
            try resend(request, &state, types: ["digital", "license"], code: "no_digital_product")
        }
        registry.business("POST", "/v3/orders/{id}/send-lms-access") { request, state in
            try resend(request, &state, types: ["course"], code: "no_lms_product")
        }
        registry.business("POST", "/v3/orders/{id}/payment", scopes: ["order:update"]) { request, state in
            let order = try state.order(request.param("id"))
            return .ok(order["pg_payment_info"])
        }
        for action in ["check-payment", "check-settlement"] {
            registry.business("POST", "/v3/orders/{id}/\(action)", scopes: ["order:read"]) { request, state in
                .ok(try state.order(request.param("id")))
            }
        }
        registry.business("POST", "/v3/orders/{id}/duplicate") { request, state in
            let original = try state.order(request.param("id"))
            var copy = original
            copy["id"] = .string(state.random.uuidV7(epoch: request.now))
            copy["secret_slug"] = .string(state.random.string(22, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789"))
            copy["order_id"] = .string(String(Timestamp.day(request.now).replacingOccurrences(of: "-", with: "").dropFirst(2)) + state.random.string(6, alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ"))
            let url = "\(state.publicBase)/o/\(copy["secret_slug"].textValue ?? "")"
            copy["public_order_url"] = .string(url)
            copy["payment_url"] = .string(url + "/success")
            copy["status"] = "pending"
            copy["payment_status"] = "unpaid"
            copy["created_at"] = .string(Timestamp.format(request.now))
            copy["last_updated_at"] = copy["created_at"]
            if let method = request.body("payment_method").textValue { copy["payment_method"] = .string(method) }
            OrderFactory.insert(copy, into: &state)
            state.emit("order.created", copy)
            return .ok(copy)
        }
        registry.business("PATCH", "/v3/orders/{id}/shipment-receipt") { request, state in
            try patch(request, &state, fields: ["shipment_receipt"])
        }
        registry.business("PATCH", "/v3/orders/{id}/shipment") { request, state in
            try patch(request, &state, fields: ["awb_ca_status", "courier_additional_info", "is_shipment_completed", "shipment_provider_code", "shipment_receipt"])
        }
        registry.business("PATCH", "/v3/orders/{id}/customer") { request, state in
            var order = try state.order(request.param("id"))
            guard let customer = state.customers[request.body("customer_id").intValue ?? -1] else {
                throw APIError.invalid("customer_id", "does not exist")
            }
            order["customer"] = ["id": customer["id"], "name": customer["name"], "email": customer["email"], "phone": customer["phone"]]
            order["customer_id"] = customer["id"]
            OrderFactory.insert(order, into: &state)
            return .ok(order)
        }
        registry.business("POST", "/v3/orders/{id}/shipment-status-history") { request, state in
            var order = try state.order(request.param("id"))
            var history = order["shipment_status_history"].arrayValue ?? []
            history.append([
                "timestamp": request.body("timestamp"), "timestamp_source": "api", "status": request.body("status"),
                "description": request.body("description"),
            ])
            order["shipment_status_history"] = .array(history)
            OrderFactory.insert(order, into: &state)
            return .ok(order)
        }
    }

    // MARK: List

    static let searchFields = [
        "order_id", "shipment_receipt", "external_id", "pg_reference_id", "gross_revenue", "customer_name", "customer_email", "customer_phone",
    ]

    static func list(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let query = request.query
        var predicates: [(JSON) -> Bool] = []
        for field in ["status", "payment_status", "payment_method", "platform", "awb_ca_status", "order_id", "external_id", "shipment_status"] {
            guard let value = query[field], !value.isEmpty else { continue }
            var accepted = Set(JSON.string(value).stringList)
            if field == "status", accepted.contains("shipped_rts") { accepted.formUnion(["shipped", "rts"]) }
            predicates.append { accepted.contains($0[field].textValue ?? "") }
        }
        for field in ["is_probably_spam", "is_repeat", "is_from_form"] {
            guard let value = query[field], let flag = Bool(value) else { continue }
            predicates.append { $0[field].boolValue == flag }
        }
        if let search = query["search"], !search.isEmpty {
            let field = query["search_field"] ?? "order_id"
            guard searchFields.contains(field) else { throw APIError.invalid("search_field", "must be one of \(searchFields.joined(separator: ", "))") }
            let needle = search.lowercased()
            predicates.append { ($0[field].textValue ?? "").lowercased().contains(needle) }
        }
        if let tags = query["tags"], !tags.isEmpty {
            let wanted = JSON.string(tags).stringList
            predicates.append { order in
                let have = Set(order["tags"].stringList)
                return wanted.allSatisfy(have.contains)
            }
        }
        if let stores = query["store_id"], !stores.isEmpty {
            let ids = Set(JSON.string(stores).stringList.compactMap { state.store($0)?["id"].intValue })
            predicates.append { ids.contains($0["store_id"].intValue ?? -1) }
        }
        if let product = query["product_id"], let productID = Int(product) {
            let variantIDs = Set(state.variants.ascending.filter { $0["product_id"].intValue == productID }.compactMap { $0["id"].intValue })
            predicates.append { order in order["orderlines"].arrayValue?.contains { variantIDs.contains($0["variant_id"].intValue ?? -1) } ?? false }
        }
        if let customer = query["customer_id"], let customerID = Int(customer) {
            predicates.append { $0["customer_id"].intValue == customerID }
        }
        for stamp in ["draft", "confirmed", "shipped", "completed", "created", "paid"] {
            let field = stamp == "created" ? "created_at" : "\(stamp)_time"
            for (suffix, isLower) in [("_since", true), ("_until", false)] {
                let name = stamp == "created" ? "created_at\(suffix)" : "\(stamp)_time\(suffix)"
                guard let text = query[name], !text.isEmpty else { continue }
                guard let bound = Timestamp.parse(text) else { throw APIError.invalid(name, "must be an ISO 8601 date or time") }
                // A bare date as an upper bound includes that whole day.
                let limit = !isLower && text.count == 10 ? bound + 86_399 : bound
                predicates.append { order in
                    guard let value = order[field].textValue.flatMap(Timestamp.parse) else { return false }
                    return isLower ? value >= limit : value <= limit
                }
            }
        }
        let matches: (JSON) -> Bool = { order in predicates.allSatisfy { $0(order) } }
        let key: (JSON) -> String = { $0["id"].textValue ?? "" }
        guard let columns = query["columns"], !columns.isEmpty else {
            // Whole orders: served from their cached serializations.
            return .ok(serialized: try CursorPage.serializedPage(&state.orders, where: matches, key: key, request: request))
        }
        var page = try CursorPage.page(state.orders, where: matches, key: key, request: request)
        let keep = Set(JSON.string(columns).stringList + ["id"])
        page["data"] = .array((page["data"].arrayValue ?? []).map { order in
            .object((order.objectValue ?? [:]).filter { keep.contains($0.key) })
        })
        return .ok(page)
    }

    // MARK: Create

    static func create(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let body = request.json ?? [:]
        guard let store = state.store(body["store_unique_id"].textValue ?? "") else {
            throw APIError.invalid("store_unique_id", "does not match a store")
        }
        var errors: [APIError.FieldError] = []
        var lines: [OrderFactory.Line] = []
        for (index, entry) in (body["ordervariants"].arrayValue ?? []).enumerated() {
            let quantity = entry["quantity"].intValue ?? 0
            errors += quantityErrors(entry["quantity"], "ordervariants[\(index)].quantity")
            guard let variant = state.variant(entry["variant_unique_id"].textValue ?? ""), state.sells(store: store, variant: variant) else {
                errors.append(.init(field: "ordervariants[\(index)].variant_unique_id", code: "invalid", message: "is not a variant sold in this store"))
                continue
            }
            lines.append(.init(variant: variant, quantity: quantity))
        }
        for (index, entry) in (body["orderbundles"].arrayValue ?? []).enumerated() {
            let quantity = entry["quantity"].intValue ?? 0
            errors += quantityErrors(entry["quantity"], "orderbundles[\(index)].quantity")
            guard let option = state.bundlePriceOption(entry["bundle_price_option_unique_id"].textValue ?? ""),
                option["store_ids"].arrayValue?.contains(store["id"]) ?? false
            else {
                errors.append(.init(field: "orderbundles[\(index)].bundle_price_option_unique_id", code: "invalid", message: "is not a bundle price option sold in this store"))
                continue
            }
            lines.append(.init(bundlePriceOption: option, quantity: quantity))
        }
        if lines.isEmpty, errors.isEmpty {
            errors.append(.init(field: "ordervariants", code: "required", message: "give at least one of ordervariants or orderbundles"))
        }
        if lines.count > RequestNumbers.maxLines {
            errors.append(.init(field: "ordervariants", code: "invalid", message: "an order holds at most \(RequestNumbers.maxLines) lines"))
        }
        for name in moneyFields where !body[name].isNull {
            errors += RequestNumbers.fieldErrors { _ = try RequestNumbers.amount(body[name], name) }
        }
        let method = body["payment_method"].textValue ?? ""
        if !OrderFactory.paymentMethods.contains(method) {
            errors.append(.init(field: "payment_method", code: method.isEmpty ? "required" : "invalid", message: "must be one of the payment method codes"))
        }
        if let email = body["customer_email"].textValue, !email.isEmpty, !email.contains("@") {
            errors.append(.init(field: "customer_email", code: "invalid", message: "is not an email address"))
        }
        var shipment: OrderFactory.Shipment?
        if lines.contains(where: OrderFactory.isPhysical) {
            let result = physicalShipment(body, state: state)
            errors += result.errors
            shipment = result.shipment
        }
        if !errors.isEmpty { throw APIError.validation(errors) }
        let customer = state.customer(
            name: body["customer_name"].textValue ?? "", email: body["customer_email"].textValue, phone: body["customer_phone"].textValue,
            now: request.now)
        var fields: [String: JSON] = [:]
        for name in [
            "product_discount", "shipping_discount", "other_income", "other_income_name", "metadata", "agent_context", "notes",
            "is_dropshipping", "dropshipper_name", "dropshipper_phone", "is_probably_spam", "transferproof_url", "tags",
        ] where !body[name].isNull { fields[name] = body[name] }
        var order = OrderFactory.make(
            state: &state, store: store, customer: customer, lines: lines, paymentMethod: method, shipment: shipment, createdAt: request.now,
            fields: fields)
        order["customer_name"] = body["customer_name"]
        if !body["customer_phone"].isNull { order["customer_phone"] = body["customer_phone"] }
        if !body["customer_email"].isNull { order["customer_email"] = body["customer_email"] }
        if let provider = body["shipment_provider_code"].textValue { order["shipment_provider_code"] = .string(provider) }
        OrderFactory.insert(order, into: &state)
        state.emit("order.created", order)
        return .ok(order)
    }

    /// The physical-order fields (`address`, `location_id`, `warehouse_unique_id`, `shipping_cost`,
    /// `courier_service_id`) checked and resolved.
    static func physicalShipment(_ body: JSON, state: SandboxState) -> (shipment: OrderFactory.Shipment?, errors: [APIError.FieldError]) {
        var errors: [APIError.FieldError] = []
        func need(_ field: String) { errors.append(.init(field: field, code: "required", message: "is required for physical products")) }
        let address = body["address"].textValue ?? ""
        if address.isEmpty { need("address") }
        let location = body["location_id"].intValue.flatMap { state.locations[$0] }
        if body["location_id"].isNull { need("location_id") } else if location == nil {
            errors.append(.init(field: "location_id", code: "invalid", message: "does not match a location"))
        }
        let warehouseKey = body["warehouse_unique_id"].textValue ?? ""
        let warehouse = state.warehouses.first { $0["unique_id"].textValue == warehouseKey }
        if warehouseKey.isEmpty { need("warehouse_unique_id") } else if warehouse == nil {
            errors.append(.init(field: "warehouse_unique_id", code: "invalid", message: "does not match a warehouse"))
        }
        let cost = try? RequestNumbers.amount(body["shipping_cost"], "shipping_cost", minimum: 0)
        if body["shipping_cost"].isNull { need("shipping_cost") } else if cost == nil {
            errors.append(.init(field: "shipping_cost", code: "invalid", message: "must be a number between 0 and \(RequestNumbers.maxAmount)"))
        }
        let courier = body["courier_service_id"].intValue.flatMap { state.courierServices[$0] }
        if body["courier_service_id"].isNull { need("courier_service_id") } else if courier == nil {
            errors.append(.init(field: "courier_service_id", code: "invalid", message: "does not match a courier service"))
        }
        guard errors.isEmpty, let location, let warehouse, let courier, let cost else { return (nil, errors) }
        return (
            OrderFactory.Shipment(
                address: address, location: location, postalCode: body["postal_code"].textValue, warehouse: warehouse,
                courierService: courier, shippingCost: cost, providerCode: body["shipment_provider_code"].textValue), []
        )
    }

    // MARK: Update

    static let editable = [
        "customer_name", "customer_phone", "customer_email", "address", "postal_code", "payment_method", "payment_account_holder",
        "payment_account_number", "financial_entity_id", "shipment_provider_code", "product_discount", "shipping_discount", "other_income",
        "other_income_name", "is_dropshipping", "dropshipper_name", "dropshipper_phone", "transferproof_url", "notes", "metadata",
    ]

    /// The money fields a create or an update may set.
    static let moneyFields: Set<String> = ["product_discount", "shipping_discount", "other_income"]

    /// The errors of a line's quantity: an integer between 1 and ``RequestNumbers/maxQuantity``.
    static func quantityErrors(_ value: JSON, _ field: String) -> [APIError.FieldError] {
        RequestNumbers.fieldErrors { _ = try RequestNumbers.integer(value, field, in: 1...RequestNumbers.maxQuantity) }
    }

    static func update(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        var order = try state.order(request.param("id"))
        let body = request.json ?? [:]
        if let method = body["payment_method"].textValue, !OrderFactory.paymentMethods.contains(method) {
            throw APIError.invalid("payment_method", "must be one of the payment method codes")
        }
        for field in editable where !body[field].isNull {
            let value = body[field]
            if moneyFields.contains(field) {
                order[field] = OrderFactory.money(try RequestNumbers.amount(value, field))
            } else if field == "address" {
                order["destination_address"]["address"] = value
            } else {
                order[field] = value
            }
        }
        if body["shipping_cost"].doubleValue != nil {
            order["shipping_cost"] = OrderFactory.money(try RequestNumbers.amount(body["shipping_cost"], "shipping_cost", minimum: 0))
        }
        let product = OrderFactory.amount(order["product_price"])
        let gross = product + OrderFactory.amount(order["shipping_cost"]) - OrderFactory.amount(order["product_discount"])
            - OrderFactory.amount(order["shipping_discount"]) + OrderFactory.amount(order["other_income"])
        order["gross_revenue"] = OrderFactory.money(gross)
        order["customer"]["name"] = order["customer_name"]
        order["last_updated_at"] = .string(Timestamp.format(request.now))
        OrderFactory.insert(order, into: &state)
        state.emit("order.updated", order)
        return .ok(order)
    }

    static func patch(_ request: SandboxRequest, _ state: inout SandboxState, fields: [String]) throws -> SandboxReply {
        var order = try state.order(request.param("id"))
        for field in fields where !request.body(field).isNull { order[field] = request.body(field) }
        order["last_updated_at"] = .string(Timestamp.format(request.now))
        OrderFactory.insert(order, into: &state)
        state.emit("order.updated", order)
        return .ok(order)
    }

    // MARK: Bulk

    static func ids(_ request: SandboxRequest, _ state: SandboxState) throws -> [JSON] {
        guard let ids = request.body("ids").arrayValue, !ids.isEmpty else { throw APIError.missing(["ids"]) }
        return try ids.map { id in
            guard let key = id.textValue else { throw APIError.invalid("ids", "must be order ids") }
            do { return try state.order(key) } catch { throw APIError(status: 404, message: "Order \(key) not found", code: "not_found") }
        }
    }

    static func changeStatus(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let status = request.body("status").textValue
        let payment = request.body("payment_status").textValue
        guard status != nil || payment != nil else {
            throw APIError.validation([.init(field: "status", code: "required", message: "give status, payment_status or both")])
        }
        if let status, !OrderFactory.statuses.contains(status) { throw APIError.invalid("status", "is not an order status") }
        if let payment, !OrderFactory.paymentStatuses.contains(payment) { throw APIError.invalid("payment_status", "is not a payment status") }
        let orders = try ids(request, state)
        var errors: [APIError.FieldError] = []
        for order in orders {
            let key = order["id"].textValue ?? ""
            let current = order["status"].textValue ?? ""
            if let status, let reason = OrderStatusRules.statusChange(from: current, to: status) {
                errors.append(.init(field: "ids[\(key)]", code: "invalid_status_transition", message: reason))
            }
            if let payment, let reason = OrderStatusRules.paymentChange(from: order["payment_status"].textValue ?? "", to: payment, status: status ?? current) {
                errors.append(.init(field: "ids[\(key)]", code: "invalid_payment_status_transition", message: reason))
            }
        }
        if !errors.isEmpty { throw APIError.validation(errors) }
        let stamp = JSON.string(Timestamp.format(request.now))
        var results: [JSON] = []
        for var order in orders {
            if let status {
                order["status"] = .string(status)
                order["\(status)_time"] = stamp
                order["status_history"] = .array((order["status_history"].arrayValue ?? []) + [["status": .string(status), "timestamp": stamp]])
            }
            if let payment {
                order["payment_status"] = .string(payment)
                order["\(payment)_time"] = stamp
                order["payment_status_history"] = .array(
                    (order["payment_status_history"].arrayValue ?? []) + [["payment_status": .string(payment), "timestamp": stamp]])
                if let method = request.body("payment_method").textValue { order["payment_method"] = .string(method) }
                for field in ["transfer_time", "transferproof_url", "payment_account_holder", "payment_account_number"] where !request.body(field).isNull {
                    order[field] = request.body(field)
                }
            }
            order["last_updated_at"] = stamp
            OrderFactory.insert(order, into: &state)
            if status != nil { state.emit("order.status_changed", order) }
            if payment != nil { state.emit("order.payment_status_changed", order) }
            results.append([
                "id": order["id"], "order_id": order["order_id"], "status": order["status"], "payment_status": order["payment_status"],
                "public_order_url": order["public_order_url"], "payment_url": order["payment_url"],
            ])
        }
        return .list(results)
    }

    static func delete(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let orders = try ids(request, state)
        var deleted: [JSON] = []
        for order in orders {
            guard let id = order["id"].textValue, state.orders[id] != nil else { continue }
            state.orders[id] = nil
            if let slug = order["secret_slug"].textValue { state.ordersBySlug[slug] = nil }
            state.emit("order.deleted", [
                "id": order["id"], "order_id": order["order_id"], "created_at": order["created_at"],
                "last_updated_at": .string(Timestamp.format(request.now)),
            ])
            deleted.append(order["id"])
        }
        return .list(deleted)
    }

    static func markNotSpam(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        var results: [JSON] = []
        for var order in try ids(request, state) {
            order["is_probably_spam"] = false
            OrderFactory.insert(order, into: &state)
            results.append(["id": order["id"], "order_id": order["order_id"], "is_probably_spam": false, "mark_as_spam_by": .null])
        }
        return .list(results)
    }

    static func resend(_ request: SandboxRequest, _ state: inout SandboxState, types: Set<String>, code: String) throws -> SandboxReply {
        let order = try state.order(request.param("id"))
        let present = order["orderlines"].arrayValue?.contains { types.contains($0["item_type"].textValue ?? "") } ?? false
        guard present else { throw APIError.unprocessable("Order has no \(types.sorted().joined(separator: "/")) product", code: code) }
        return .noContent
    }

    // MARK: Statistics

    static func statistics(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        var buckets: [String: (count: Int, gross: Int)] = [:]
        let status = request.query["status"]
        for order in state.orders.ascending {
            if let status, order["status"].textValue != status { continue }
            let day = String((order["created_at"].textValue ?? "").prefix(10))
            if let since = request.query["date_since"], day < since { continue }
            if let until = request.query["date_until"], day > until { continue }
            let key = day + "|" + (order["status"].textValue ?? "")
            var bucket = buckets[key] ?? (0, 0)
            bucket.count += 1
            let (gross, overflow) = bucket.gross.addingReportingOverflow(OrderFactory.amount(order["gross_revenue"]))
            bucket.gross = overflow ? (gross < 0 ? Int.max : Int.min) : gross
            buckets[key] = bucket
        }
        let data: [JSON] = buckets.keys.sorted().map { key in
            let parts = key.split(separator: "|", omittingEmptySubsequences: false)
            let bucket = buckets[key] ?? (0, 0)
            return [
                "count": .int(bucket.count), "day": .string(String(parts[0])), "month": .string(String(parts[0].prefix(7))),
                "status": .string(String(parts[1])), "gross_revenue": OrderFactory.money(bucket.gross),
            ]
        }
        return .ok(["data": .array(data), "is_paginated": true])
    }
}
