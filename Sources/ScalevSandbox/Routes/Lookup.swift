/// Finding records by the several id forms Scalev accepts.
extension SandboxState {
    /// An order by UUIDv7 id, or by its `order_id`.
    func order(_ key: String) throws -> JSONValue {
        if let order = orders[key] { return order }
        if let order = orders.first(where: { $0["order_id"].stringValue == key }) { return order }
        throw APIError.notFound("Order")
    }

    /// A store by numeric id, unique id (`store_…`) or uuid.
    func store(_ key: String) -> JSONValue? {
        if let store = stores[key] { return store }
        return stores.first { $0["unique_id"].stringValue == key || $0["uuid"].stringValue == key }
    }

    /// A variant by numeric id, `variant_…` unique id or uuid.
    func variant(_ key: String) -> JSONValue? {
        if let variant = variants[key] { return variant }
        return variants.first { $0["unique_id"].stringValue == key || $0["uuid"].stringValue == key }
    }

    func bundlePriceOption(_ key: String) -> JSONValue? {
        if let option = bundlePriceOptions[key] { return option }
        return bundlePriceOptions.first { $0["unique_id"].stringValue == key || $0["slug"].stringValue == key }
    }

    /// Whether `variant` is sold in `store` (its product lists the store).
    func sells(store: JSONValue, variant: JSONValue) -> Bool {
        guard let product = products[variant["product_id"].stringValue ?? ""] else { return false }
        return product["store_ids"].arrayValue?.contains(store["id"]) ?? false
    }

    /// A product with its current variants.
    func productWithVariants(_ product: JSONValue) -> JSONValue {
        var product = product
        let id = product["id"]
        product["variants"] = .array(variants.ascending.filter { $0["product_id"] == id })
        return product
    }

    /// The business customer with this email, created when missing.
    mutating func customer(name: String, email: String?, phone: String?, now: Double) -> JSONValue {
        if let email, !email.isEmpty, let existing = customers.first(where: { $0["email"].stringValue?.lowercased() == email.lowercased() }) {
            return existing
        }
        let id = number()
        let stamp = JSONValue.string(Timestamp.format(now))
        let record: JSONValue = [
            "id": .int(id), "name": .string(name), "email": email.json, "phone": phone.json, "tags": [], "status": "active",
            "business_id": 501, "created_at": stamp, "last_updated_at": stamp, "is_unsubscribe": false,
        ]
        customers[id] = record
        return record
    }
}

extension JSONValue {
    /// A list of strings from an array or a comma-separated string.
    var stringList: [String] {
        if let array = arrayValue { return array.compactMap(\.stringValue) }
        if let text = stringValue { return text.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty } }
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
