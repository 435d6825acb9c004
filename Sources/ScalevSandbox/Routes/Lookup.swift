import ScalevModel

/// Finding records by the several id forms Scalev accepts.
extension SandboxState {
    /// An order by UUIDv7 id, or by its `order_id`.
    func order(_ key: String) throws -> JSON {
        if let order = orders[key] { return order }
        if let order = orders.first(where: { $0["order_id"].textValue == key }) { return order }
        throw APIError.notFound("Order")
    }

    /// A store by numeric id, unique id (`store_…`) or uuid.
    func store(_ key: String) -> JSON? {
        if let store = stores[key] { return store }
        return stores.first { $0["unique_id"].textValue == key || $0["uuid"].textValue == key }
    }

    /// A variant by numeric id, `variant_…` unique id or uuid.
    func variant(_ key: String) -> JSON? {
        if let variant = variants[key] { return variant }
        return variants.first { $0["unique_id"].textValue == key || $0["uuid"].textValue == key }
    }

    func bundlePriceOption(_ key: String) -> JSON? {
        if let option = bundlePriceOptions[key] { return option }
        return bundlePriceOptions.first { $0["unique_id"].textValue == key || $0["slug"].textValue == key }
    }

    /// Whether `variant` is sold in `store` (its product lists the store).
    func sells(store: JSON, variant: JSON) -> Bool {
        guard let product = products[variant["product_id"].textValue ?? ""] else { return false }
        return product["store_ids"].arrayValue?.contains(store["id"]) ?? false
    }

    /// A product with its current variants.
    func productWithVariants(_ product: JSON) -> JSON {
        var product = product
        let id = product["id"]
        product["variants"] = .array(variants.ascending.filter { $0["product_id"] == id })
        return product
    }

    /// The business customer with this email, created when missing.
    mutating func customer(name: String, email: String?, phone: String?, now: Double) -> JSON {
        if let email, !email.isEmpty, let existing = customers.first(where: { $0["email"].textValue?.lowercased() == email.lowercased() }) {
            return existing
        }
        let id = number()
        let stamp = JSON.string(Timestamp.format(now))
        let record: JSON = [
            "id": .int(id), "name": .string(name), "email": email.json, "phone": phone.json, "tags": [], "status": "active",
            "business_id": 501, "created_at": stamp, "last_updated_at": stamp, "is_unsubscribe": false,
        ]
        customers[id] = record
        return record
    }
}

extension JSON {
    /// A list of strings from an array or a comma-separated string.
    var stringList: [String] {
        if let array = arrayValue { return array.compactMap(\.textValue) }
        if let text = textValue { return text.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty } }
        return []
    }
}

extension String {
    var trimmed: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }
}
