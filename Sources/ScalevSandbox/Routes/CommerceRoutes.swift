import ScalevModel

/// Stores, products, variants, bundles and their price options, business customers, locations and
/// shipping quotes: what a client needs to build valid orders.
enum CommerceRoutes {
    static func register(_ registry: inout RouteRegistry) {
        // Stores.
        registry.business("GET", "/v3/stores") { request, state in
            .ok(serialized: try CursorPage.serializedPage(&state.stores, key: idKey, request: request))
        }
        registry.business("GET", "/v3/stores/simplified") { request, state in
            let search = request.query["search"]?.lowercased()
            let stores = state.stores.ascending.filter { store in
                guard let search, !search.isEmpty else { return true }
                return (store["name"].textValue ?? "").lowercased().contains(search)
            }
            return .list(stores.map { store in
                [
                    "id": store["id"], "unique_id": store["unique_id"], "name": store["name"],
                    "payment_methods": store["payment_methods"], "sub_payment_methods": store["sub_payment_methods"],
                ]
            })
        }
        registry.business("GET", "/v3/stores/{id}") { request, state in
            guard let store = state.stores[request.param("id")] else { throw APIError.notFound("Store") }
            return .ok(store)
        }
        registry.business("GET", "/v3/stores/{store_id}/products") { request, state in
            guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
            return .ok(try CursorPage.page(
                state.products, where: { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }, transform: state.productWithVariants,
                key: idKey, request: request))
        }
        registry.business("GET", "/v3/stores/{store_id}/bundles") { request, state in
            guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
            return .ok(serialized: try CursorPage.serializedPage(
                &state.bundles, where: { $0["store_ids"].arrayValue?.contains(store["id"]) ?? false }, key: idKey, request: request))
        }
        registry.business("GET", "/v3/stores/{store_id}/bundles/{bundle_id}") { request, state in
            guard let store = state.store(request.param("store_id")), let bundle = state.bundles[request.param("bundle_id")],
                bundle["store_ids"].arrayValue?.contains(store["id"]) ?? false
            else { throw APIError.notFound("Bundle") }
            return .ok(bundle)
        }
        registry.business("GET", "/v3/stores/{store_id}/variants/{variant_id}") { request, state in
            guard let store = state.store(request.param("store_id")), let variant = state.variant(request.param("variant_id")),
                state.sells(store: store, variant: variant)
            else { throw APIError.notFound("Variant") }
            return .ok(variant)
        }
        registry.business("GET", "/v3/stores/{store_id}/payment-methods", scopes: ["store:read"]) { request, state in
            guard let store = state.store(request.param("store_id")) else { throw APIError.notFound("Store") }
            return .list(store["payment_methods"].arrayValue ?? [])
        }
        registry.business("GET", "/v3/stores/{store_id}/public-api-keys") { request, state in
            guard let store = state.store(request.param("store_id")), let unique = store["unique_id"].textValue else { throw APIError.notFound("Store") }
            let keys = state.storefrontKeys.filter { $0.value == unique }.keys.sorted()
            return .list(keys.map { ["id": .string($0), "key": .string($0), "store_unique_id": .string(unique)] })
        }
        registry.business("POST", "/v3/stores/{store_id}/public-api-keys") { request, state in
            guard let store = state.store(request.param("store_id")), let unique = store["unique_id"].textValue else { throw APIError.notFound("Store") }
            let key = "sfpk_" + state.secrets.string(32)
            state.storefrontKeys[key] = unique
            return .ok(["id": .string(key), "key": .string(key), "store_unique_id": .string(unique)])
        }
        registry.business("DELETE", "/v3/stores/{store_id}/public-api-keys/{id}") { request, state in
            guard state.storefrontKeys.removeValue(forKey: request.param("id")) != nil else { throw APIError.notFound("Public API key") }
            return .noContent
        }

        // Products and variants.
        registry.business("GET", "/v3/products") { request, state in
            var predicates: [(JSON) -> Bool] = []
            if let search = request.query["search"]?.lowercased(), !search.isEmpty {
                predicates.append { ($0["name"].textValue ?? "").lowercased().contains(search) }
            }
            if let stores = request.query["store_id"], !stores.isEmpty {
                let ids = JSON.string(stores).stringList.compactMap { state.store($0)?["id"] }
                predicates.append { product in ids.contains { product["store_ids"].arrayValue?.contains($0) ?? false } }
            }
            if let type = request.query["item_type"], !type.isEmpty { predicates.append { $0["item_type"].textValue == type } }
            return .ok(try CursorPage.page(
                state.products, where: { product in predicates.allSatisfy { $0(product) } }, transform: state.productWithVariants,
                key: idKey, request: request))
        }
        registry.business("GET", "/v3/products/count") { _, state in .ok(["count": .int(state.products.count)]) }
        registry.business("GET", "/v3/products/simplified") { _, state in
            .list(state.products.descending.map { ["id": $0["id"], "name": $0["name"], "item_type": $0["item_type"]] })
        }
        registry.business("POST", "/v3/products") { request, state in
            let types = ["physical", "digital", "course", "license", "subscription"]
            guard let type = request.body("item_type").textValue, types.contains(type) else {
                throw APIError.invalid("item_type", "must be one of \(types.joined(separator: ", "))")
            }
            let id = state.number()
            let stamp = JSON.string(Timestamp.format(request.now))
            var product: JSON = [
                "id": .int(id), "uuid": .string(state.random.uuidV4()), "name": request.body("name"),
                "public_name": request.body("public_name").isNull ? request.body("name") : request.body("public_name"),
                "slug": .string((request.body("name").textValue ?? "product").lowercased().replacingOccurrences(of: " ", with: "-") + "-\(id)"),
                "item_type": .string(type), "description": request.body("description"), "is_multiple": false, "images": [],
                "store_ids": request.body("store_ids").isNull ? [3288] : request.body("store_ids"), "is_active": true,
                "created_at": stamp, "last_updated_at": stamp,
            ]
            let variantID = state.number()
            let given = request.body("variants").arrayValue?.first?["price"] ?? request.body("price")
            let price = given.isNull ? 0 : try RequestNumbers.amount(given, "price")
            state.variants[variantID] = [
                "id": .int(variantID), "unique_id": .string("variant_" + state.random.string(16)), "uuid": .string(state.random.uuidV4()),
                "product_id": .int(id), "product_name": product["name"], "name": product["name"], "option1_value": .null,
                "sku": .string("SKU-\(variantID)"), "price": OrderFactory.money(price), "currency": "IDR", "item_type": .string(type),
                "pricing_type": type == "subscription" ? "recurring" : "one_time", "interval": type == "subscription" ? "day" : .null,
                "interval_count": type == "subscription" ? 30 : .null, "weight": 0, "is_active": true, "stock": .null, "images": [],
            ]
            state.products[id] = product
            product = state.productWithVariants(product)
            return .ok(product)
        }
        registry.business("GET", "/v3/products/{id}") { request, state in
            guard let product = state.products[request.param("id")] else { throw APIError.notFound("Product") }
            return .ok(state.productWithVariants(product))
        }
        registry.business("PATCH", "/v3/products/{id}") { request, state in
            guard var product = state.products[request.param("id")] else { throw APIError.notFound("Product") }
            for (key, value) in request.json?.objectValue ?? [:] where !["id", "uuid", "variants"].contains(key) { product[key] = value }
            product["last_updated_at"] = .string(Timestamp.format(request.now))
            state.products[request.param("id")] = product
            return .ok(state.productWithVariants(product))
        }
        registry.business("DELETE", "/v3/products/{id}") { request, state in
            guard let product = state.products[request.param("id")] else { throw APIError.notFound("Product") }
            for variant in state.variants.ascending where variant["product_id"] == product["id"] {
                state.variants[variant["id"].textValue ?? ""] = nil
            }
            state.products[request.param("id")] = nil
            return .noContent
        }
        registry.business("POST", "/v3/products/{product_id}/variants") { request, state in
            guard let product = state.products[request.param("product_id")] else { throw APIError.notFound("Product") }
            let id = state.number()
            var variant: JSON = [
                "id": .int(id), "unique_id": .string("variant_" + state.random.string(16)), "uuid": .string(state.random.uuidV4()),
                "product_id": product["id"], "product_name": product["name"], "item_type": product["item_type"], "currency": "IDR",
                "pricing_type": "one_time", "is_active": true, "stock": .null, "images": [], "sku": .string("SKU-\(id)"),
                "interval": .null, "interval_count": .null, "weight": 0,
            ]
            for (key, value) in request.json?.objectValue ?? [:] where !["id", "unique_id", "uuid", "product_id"].contains(key) { variant[key] = value }
            variant["price"] = OrderFactory.money(request.body("price").isNull ? 0 : try RequestNumbers.amount(request.body("price"), "price"))
            if variant["name"].isNull { variant["name"] = product["name"] }
            state.variants[id] = variant
            return .ok(variant)
        }
        registry.business("GET", "/v3/variants/{id}") { request, state in
            guard let variant = state.variant(request.param("id")) else { throw APIError.notFound("Variant") }
            return .ok(variant)
        }
        registry.business("PATCH", "/v3/variants/{id}") { request, state in
            guard var variant = state.variant(request.param("id")), let id = variant["id"].textValue else { throw APIError.notFound("Variant") }
            for (key, value) in request.json?.objectValue ?? [:] where !["id", "unique_id", "uuid", "product_id"].contains(key) {
                variant[key] = key == "price" ? OrderFactory.money(value.isNull ? 0 : try RequestNumbers.amount(value, "price")) : value
            }
            state.variants[id] = variant
            return .ok(variant)
        }
        registry.business("DELETE", "/v3/variants/{id}") { request, state in
            guard let variant = state.variant(request.param("id")), let id = variant["id"].textValue else { throw APIError.notFound("Variant") }
            let siblings = state.variants.ascending.filter { $0["product_id"] == variant["product_id"] && $0["is_active"].boolValue != false }
            if siblings.count <= 1 {
                throw APIError.unprocessable("Cannot delete the last active variant of a product", code: "last_active_variant")
            }
            state.variants[id] = nil
            return .noContent
        }

        // Bundles and price options.
        registry.business("GET", "/v3/bundles") { request, state in
            let search = request.query["search"]?.lowercased() ?? ""
            let store = request.query["store_id"].flatMap(Int.init)
            return .ok(serialized: try CursorPage.serializedPage(
                &state.bundles,
                where: { bundle in
                    (search.isEmpty || (bundle["name"].textValue ?? "").lowercased().contains(search))
                        && (store.map { bundle["store_ids"].arrayValue?.contains(.int($0)) ?? false } ?? true)
                },
                key: idKey, request: request))
        }
        registry.business("GET", "/v3/bundles/count") { _, state in .ok(["count": .int(state.bundles.count)]) }
        registry.business("GET", "/v3/bundles/simplified") { request, state in
            let forStore = request.query["for_store_id"].flatMap(Int.init)
            return .list(state.bundles.descending.map { bundle in
                let options = (bundle["bundle_price_options"].arrayValue ?? []).map { option -> JSON in
                    var item: JSON = [
                        "id": option["id"], "unique_id": option["unique_id"], "name": option["name"], "slug": option["slug"],
                        "price": option["price"], "price_bt": option["price_bt"],
                    ]
                    if let forStore { item["is_owned_by_store"] = .bool(option["store_ids"].arrayValue?.contains(.int(forStore)) ?? false) }
                    return item
                }
                return ["id": bundle["id"], "name": bundle["name"], "bundle_price_options": .array(options)]
            })
        }
        registry.business("GET", "/v3/bundles/{id}") { request, state in
            guard let bundle = state.bundles[request.param("id")] else { throw APIError.notFound("Bundle") }
            return .ok(bundle)
        }
        registry.business("GET", "/v3/bundles/{bundle_id}/bundle-price-options") { request, state in
            guard let bundle = state.bundles[request.param("bundle_id")] else { throw APIError.notFound("Bundle") }
            return .ok(serialized: try CursorPage.serializedPage(
                &state.bundlePriceOptions, where: { $0["bundle_id"] == bundle["id"] }, key: idKey, request: request))
        }
        registry.business("POST", "/v3/bundles/{bundle_id}/bundle-price-options") { request, state in
            guard var bundle = state.bundles[request.param("bundle_id")], let bundleID = bundle["id"].textValue else { throw APIError.notFound("Bundle") }
            let price = try RequestNumbers.amount(request.body("price"), "price", minimum: 0)
            let id = state.number()
            let option: JSON = [
                "id": .int(id), "unique_id": .string("bpo_" + state.random.string(16)), "bundle_id": bundle["id"], "name": request.body("name"),
                "slug": .string((request.body("name").textValue ?? "option").lowercased().replacingOccurrences(of: " ", with: "-") + "-\(id)"),
                "price": OrderFactory.money(price), "price_bt": OrderFactory.money(price),
                "item_type": bundle["bundle_price_options"].arrayValue?.first?["item_type"] ?? "physical", "store_ids": bundle["store_ids"],
            ]
            state.bundlePriceOptions[id] = option
            bundle["bundle_price_options"] = .array((bundle["bundle_price_options"].arrayValue ?? []) + [option])
            state.bundles[bundleID] = bundle
            return .ok(option)
        }

        // Customers.
        registry.business("GET", "/v3/customers") { request, state in
            let search = request.query["search"]?.lowercased() ?? ""
            return .ok(serialized: try CursorPage.serializedPage(
                &state.customers,
                where: {
                    search.isEmpty || ($0["name"].textValue ?? "").lowercased().contains(search)
                        || ($0["email"].textValue ?? "").lowercased().contains(search)
                },
                key: idKey, request: request))
        }
        registry.business("POST", "/v3/customers") { request, state in
            guard let name = request.body("name").textValue, !name.isEmpty else { throw APIError.missing(["name"]) }
            if let email = request.body("email").textValue, state.customers.first(where: { $0["email"].textValue == email }) != nil {
                throw APIError.invalid("email", "has already been taken")
            }
            var customer = state.customer(name: name, email: request.body("email").textValue, phone: request.body("phone").textValue, now: request.now)
            if !request.body("tags").isNull { customer["tags"] = request.body("tags") }
            if let id = customer["id"].textValue { state.customers[id] = customer }
            return .ok(customer)
        }
        registry.business("GET", "/v3/customers/count") { _, state in .ok(["count": .int(state.customers.count)]) }
        registry.business("GET", "/v3/customers/tags") { _, state in
            .list(Set(state.customers.ascending.flatMap { $0["tags"].stringList }).sorted().map(JSON.string))
        }
        registry.business("GET", "/v3/customers/{id}") { request, state in
            guard let customer = state.customers[request.param("id")] else { throw APIError.notFound("Customer") }
            return .ok(customer)
        }
        registry.business("PATCH", "/v3/customers/{id}") { request, state in
            guard var customer = state.customers[request.param("id")] else { throw APIError.notFound("Customer") }
            for field in ["name", "email", "phone", "date_of_birth", "sex"] where !request.body(field).isNull { customer[field] = request.body(field) }
            customer["last_updated_at"] = .string(Timestamp.format(request.now))
            state.customers[request.param("id")] = customer
            return .ok(customer)
        }
        registry.business("POST", "/v3/customers/{id}/update-tags") { request, state in
            guard var customer = state.customers[request.param("id")] else { throw APIError.notFound("Customer") }
            guard let tags = request.body("tags").arrayValue else { throw APIError.missing(["tags"]) }
            customer["tags"] = .array(tags)
            state.customers[request.param("id")] = customer
            return .ok(customer)
        }

        // Locations and shipping.
        registry.business("GET", "/v3/locations") { request, state in
            var locations = state.locations.ascending
            if let search = request.query["search"]?.lowercased(), !search.isEmpty {
                locations = locations.filter { ($0["display"].textValue ?? "").lowercased().contains(search) }
            }
            return .ok(try CursorPage.page(locations, key: idKey, request: request))
        }
        registry.business("GET", "/v3/locations/{location_id}/postal-codes") { request, state in
            guard let location = state.locations[request.param("location_id")] else { throw APIError.notFound("Location") }
            return .list((location["postal_codes"].arrayValue ?? []).map { ["postal_code": $0] })
        }
        registry.business("POST", "/v3/shipping-costs/search-warehouse") { request, state in
            guard state.store(request.body("store_id").textValue ?? "") != nil else { throw APIError.invalid("store_id", "does not match a store") }
            return .list(state.warehouses.ascending.map { ["warehouse_unique_id": $0["unique_id"], "warehouse": $0] })
        }
        registry.business("POST", "/v3/shipping-costs/search-courier-service") { request, state in
            guard state.locations[request.body("location_id").intValue ?? -1] != nil else {
                throw APIError.invalid("location_id", "does not match a location")
            }
            return .list(quotes(state, weight: try weight(request)))
        }
        registry.business("POST", "/v3/shipping-costs") { request, state in
            guard state.locations[request.body("location_id").intValue ?? -1] != nil else {
                throw APIError.invalid("location_id", "does not match a location")
            }
            return .list(quotes(state, weight: try weight(request)))
        }
    }

    /// The parcel weight of a quote request, in grams (1000 when absent).
    static func weight(_ request: SandboxRequest) throws -> Int {
        request.body("weight").isNull ? 1000 : try RequestNumbers.integer(request.body("weight"), "weight", in: 0...RequestNumbers.maxWeight)
    }

    static func idKey(_ record: JSON) -> String { record["id"].textValue ?? "" }

    /// Courier quotes: each service's base cost per started kilogram.
    static func quotes(_ state: SandboxState, weight: Int) -> [JSON] {
        let kilograms = max(1, (weight + 999) / 1000)
        let warehouse = state.warehouses.ascending.first ?? .null
        return state.courierServices.ascending.map { service in
            [
                "courier_service_id": service["id"], "courier_service": service, "courier_code": service["courier"]["code"],
                "service_code": service["code"], "name": service["name"],
                "cost": .int((service["base_cost"].intValue ?? 18_000) * kilograms), "etd": service["etd"], "is_cod": false,
                "warehouse_unique_id": warehouse["unique_id"], "courier_aggregator_code": "mengantar", "logo_url": .null,
            ]
        }
    }
}
