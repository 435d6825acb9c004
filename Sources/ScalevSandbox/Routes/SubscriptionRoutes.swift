import ScalevModel

/// Customer subscriptions: list, get, cancel at period end, resume, upgrade and downgrade.
///
/// Renewal happens when the simulated clock passes `current_period_end`: the period rolls forward
/// (pending downgrades apply then), or, when `is_cancel_at_period_end`, the subscription becomes
/// `canceled`.
enum SubscriptionRoutes {
    static let statuses = ["unactivated", "active", "canceled", "expired", "failed"]

    static func register(_ registry: inout RouteRegistry) {
        registry.customer("GET", "/subscriptions") { request, state in
            let session = try CustomerRoutes.session(request)
            if let status = request.query["status"], !status.isEmpty, !statuses.contains(status) {
                throw APIError.invalid("status", "must be one of \(statuses.joined(separator: ", "))")
            }
            var list: [JSON] = []
            for subscription in state.subscriptions.descending where subscription["customer_id"].intValue == session.customerID {
                let current = renew(subscription, state: &state, now: request.now)
                if let status = request.query["status"], !status.isEmpty, current["status"].textValue != status { continue }
                list.append(current)
            }
            return .ok(try CursorPage.page(list, key: { $0["id"].textValue ?? "" }, request: request))
        }
        registry.customer("GET", "/subscriptions/{id}") { request, state in .ok(try subscription(request, &state)) }
        registry.customer("POST", "/subscriptions/{id}/cancel") { request, state in
            var subscription = try subscription(request, &state)
            guard subscription["status"] == "active", subscription["is_cancel_at_period_end"] == false else {
                throw APIError.unprocessable("Only an active subscription not already set to cancel can be canceled", code: "subscription_not_cancelable")
            }
            subscription["is_cancel_at_period_end"] = true
            subscription["canceled_at"] = .string(Timestamp.format(request.now))
            subscription["subscription_items"] = .array((subscription["subscription_items"].arrayValue ?? []).map { item in
                var item = item
                item["pending_variant"] = .null
                return item
            })
            return save(subscription, &state, now: request.now)
        }
        registry.customer("POST", "/subscriptions/{id}/resume") { request, state in
            var subscription = try subscription(request, &state)
            guard subscription["status"] == "active", subscription["is_cancel_at_period_end"] == true else {
                throw APIError.unprocessable("Only an active subscription set to cancel at period end can be resumed", code: "subscription_not_resumable")
            }
            subscription["is_cancel_at_period_end"] = false
            subscription["canceled_at"] = .null
            return save(subscription, &state, now: request.now)
        }
        for direction in ["upgrade", "downgrade"] {
            registry.customer("GET", "/subscription-items/{id}/\(direction)") { request, state in
                let (_, _, item) = try item(request, &state)
                return .list(try options(item, direction: direction, state: state))
            }
            registry.customer("POST", "/subscription-items/{id}/\(direction)", required: ["variant_id"]) { request, state in
                let (subscriptionValue, index, item) = try item(request, &state)
                var subscription = subscriptionValue
                let choices = try options(item, direction: direction, state: state)
                guard let choice = choices.first(where: { $0["id"] == .int(request.body("variant_id").intValue ?? -1) }),
                    let variant = state.variants[choice["id"].intValue ?? -1]
                else { throw APIError.invalid("variant_id", "is not one of the \(direction) options") }
                var items = subscription["subscription_items"].arrayValue ?? []
                let summary: JSON = ["id": variant["id"], "item_type": variant["item_type"], "name": variant["name"], "product_name": variant["product_name"]]
                if direction == "upgrade" {
                    items[index]["variant"] = summary
                    items[index]["unit_price"] = variant["price"]
                    items[index]["pending_variant"] = .null
                } else {
                    items[index]["pending_variant"] = summary
                    items[index]["pending_unit_price"] = variant["price"]
                }
                subscription["subscription_items"] = .array(items)
                return save(subscription, &state, now: request.now)
            }
        }
    }

    static func save(_ subscription: JSON, _ state: inout SandboxState, now: Double) -> SandboxReply {
        var subscription = subscription
        subscription["updated_at"] = .string(Timestamp.format(now))
        state.subscriptions[subscription["id"].textValue ?? ""] = subscription
        return .ok(subscription)
    }

    static func subscription(_ request: SandboxRequest, _ state: inout SandboxState) throws -> JSON {
        let session = try CustomerRoutes.session(request)
        guard let subscription = state.subscriptions[request.param("id")], subscription["customer_id"].intValue == session.customerID else {
            throw APIError.notFound("Subscription")
        }
        return renew(subscription, state: &state, now: request.now)
    }

    static func item(_ request: SandboxRequest, _ state: inout SandboxState) throws -> (JSON, Int, JSON) {
        let session = try CustomerRoutes.session(request)
        for subscription in state.subscriptions.ascending where subscription["customer_id"].intValue == session.customerID {
            let items = subscription["subscription_items"].arrayValue ?? []
            if let index = items.firstIndex(where: { $0["id"].textValue == request.param("id") }) {
                let current = renew(subscription, state: &state, now: request.now)
                return (current, index, (current["subscription_items"].arrayValue ?? items)[index])
            }
        }
        throw APIError.notFound("Subscription item")
    }

    /// Variants of the same product priced above (upgrade) or below (downgrade) the item's; a
    /// downgrade is offered only for active items of a subscription not set to cancel.
    static func options(_ item: JSON, direction: String, state: SandboxState) throws -> [JSON] {
        guard let current = state.variants[item["variant"]["id"].intValue ?? -1] else { return [] }
        if direction == "downgrade", item["status"] != "active" { return [] }
        let price = OrderFactory.amount(current["price"])
        return state.variants.ascending.filter { variant in
            guard variant["product_id"] == current["product_id"], variant["id"] != current["id"] else { return false }
            let other = OrderFactory.amount(variant["price"])
            return direction == "upgrade" ? other > price : other < price
        }.map { variant in
            [
                "id": variant["id"], "unique_id": variant["unique_id"], "name": variant["name"], "product_name": variant["product_name"],
                "price": variant["price"], "currency": "IDR", "images": [], "item_type": variant["item_type"],
                "pricing_type": variant["pricing_type"], "interval": variant["interval"], "interval_count": variant["interval_count"],
                "validity_period": .null, "validity_period_unit": .null,
            ]
        }
    }

    /// Rolls the subscription forward to `now` and stores the result.
    static func renew(_ subscription: JSON, state: inout SandboxState, now: Double) -> JSON {
        var subscription = subscription
        guard subscription["status"] == "active" else { return subscription }
        // a variant's interval_count is whatever a PATCH stored: at least a day (or this never ends), at most ten years
        let days = Double(min(max(1, subscription["interval_count"].intValue ?? 30), 3650))
        var changed = false
        while let end = subscription["current_period_end"].textValue.flatMap(Timestamp.parse), end <= now {
            changed = true
            if subscription["is_cancel_at_period_end"] == true {
                subscription["status"] = "canceled"
                subscription["is_active"] = false
                subscription["expired_at"] = .string(Timestamp.format(end))
                subscription["subscription_items"] = .array((subscription["subscription_items"].arrayValue ?? []).map { item in
                    var item = item
                    item["status"] = "canceled"
                    return item
                })
                break
            }
            subscription["current_period_start"] = .string(Timestamp.format(end))
            subscription["current_period_end"] = .string(Timestamp.format(end + days * 86_400))
            subscription["renewal_count"] = .int((subscription["renewal_count"].intValue ?? 0) + 1)
            subscription["subscription_items"] = .array((subscription["subscription_items"].arrayValue ?? []).map { item in
                var item = item
                if !item["pending_variant"].isNull {
                    item["variant"] = item["pending_variant"]
                    item["unit_price"] = item["pending_unit_price"]
                    item["pending_variant"] = .null
                    item["pending_unit_price"] = .null
                }
                return item
            })
        }
        if changed {
            subscription["updated_at"] = .string(Timestamp.format(now))
            state.subscriptions[subscription["id"].textValue ?? ""] = subscription
        }
        return subscription
    }
}
