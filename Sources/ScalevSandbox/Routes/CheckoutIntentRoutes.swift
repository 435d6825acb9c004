import Foundation
import ScalevModel

/// Checkout intents: the storefront starts one and saves snapshots; businesses list, read and send
/// one recovery email. Status is `completed` once an order used the intent's token, `abandoned`
/// after 15 idle minutes (simulated clock), `active` otherwise.
enum CheckoutIntentRoutes {
    static let idle: Double = 15 * 60
    static let tokenLifetime: Double = 86_400
    static let prefillLifetime: Double = 30 * 86_400
    static let tokenHeader = "x-scalev-checkout-intent-token"

    static func register(_ registry: inout RouteRegistry) {
        registry.storefront("POST", "/checkout-intents", required: ["recaptcha_token", "client_session_id", "form_widget_id"]) { request, state in
            try start(request, &state)
        }
        registry.storefront("PATCH", "/checkout-intents/{checkout_intent_id}") { request, state in
            guard var intent = state.checkoutIntents[request.param("checkout_intent_id")] else { throw APIError.notFound("Checkout intent") }
            guard let token = request.headers[tokenHeader], token == intent["checkout_intent_token"].textValue,
                (intent["token_expires_at"].doubleValue ?? 0) > request.now
            else { throw APIError.unauthorized("Invalid checkout intent token", code: "invalid_checkout_intent_token") }
            if !intent["completed_at"].isNull {
                throw APIError.conflict("Checkout intent is already completed", code: "checkout_intent_completed")
            }
            guard let sequence = request.body("sequence").intValue else { throw APIError.missing(["sequence"]) }
            if sequence <= intent["last_sequence"].intValue ?? 0 { return .noContent }
            try checkItems(request.body("items"))
            intent["last_sequence"] = .int(sequence)
            for field in ["fields", "items", "attribution", "source_url", "cart_id"] where !request.body(field).isNull {
                intent[field] = request.body(field)
            }
            intent["last_activity_epoch"] = .double(request.now)
            intent["last_activity_at"] = .string(Timestamp.format(request.now))
            state.checkoutIntents[request.param("checkout_intent_id")] = intent
            return .noContent
        }
        registry.business("GET", "/v3/checkout-intents", scopes: ["checkout_intent:list"]) { request, state in
            try list(request, state)
        }
        registry.open("GET", "/v3/checkout-intents/prefill") { request, state in
            guard let token = request.query["checkout_intent_prefill_token"], token.hasPrefix("cip_") else {
                throw APIError.unauthorized("Invalid prefill token", code: "invalid_checkout_intent_prefill_token")
            }
            guard let intent = state.checkoutIntents.first(where: { $0["prefill_token"].textValue == token }) else {
                throw APIError.notFound("Checkout intent")
            }
            if (intent["prefill_expires_at"].doubleValue ?? 0) <= request.now {
                throw APIError.unauthorized("Prefill token has expired", code: "invalid_checkout_intent_prefill_token")
            }
            let items = (intent["items"].arrayValue ?? []).map { item -> JSON in
                var item = item
                item["is_available"] = .bool(state.variants[item["variant_id"].intValue ?? -1] != nil || state.bundlePriceOptions[item["bundle_price_option_id"].intValue ?? -1] != nil)
                return item
            }
            return .ok(["fields": intent["fields"], "items": .array(items), "form_widget_id": intent["form_widget_id"]])
        }
        registry.business("GET", "/v3/checkout-intents/{checkout_intent_id}", scopes: ["checkout_intent:read"]) { request, state in
            guard let intent = state.checkoutIntents[request.param("checkout_intent_id")] else { throw APIError.notFound("Checkout intent") }
            return .ok(detail(intent, state: state, now: request.now))
        }
        registry.business("POST", "/v3/checkout-intents/{checkout_intent_id}/follow-up-email", scopes: ["checkout_intent:follow_up"]) { request, state in
            guard var intent = state.checkoutIntents[request.param("checkout_intent_id")] else { throw APIError.notFound("Checkout intent") }
            if intent["follow_up_email_sent_at"].textValue != nil {
                throw APIError.conflict("A follow-up email was already sent", code: "checkout_intent_follow_up_email_already_sended")
            }
            let hasEmail = (intent["fields"]["email"].textValue ?? intent["fields"]["customer_email"].textValue ?? "").contains("@")
            guard status(intent, now: request.now) == "abandoned", hasEmail else {
                throw APIError.unprocessable("A follow-up email needs an abandoned intent with an email address", code: "checkout_intent_follow_up_email_unavailable")
            }
            intent["follow_up_email_sent_at"] = .string(Timestamp.format(request.now))
            state.checkoutIntents[request.param("checkout_intent_id")] = intent
            return .noContent
        }
    }

    static func start(_ request: SandboxRequest, _ state: inout SandboxState) throws -> SandboxReply {
        let recaptcha = request.body("recaptcha_token").textValue ?? ""
        if recaptcha == "invalid" || recaptcha == "fail" {
            throw APIError.forbidden("reCAPTCHA verification failed", code: "recaptcha_failed")
        }
        let session = request.body("client_session_id").textValue ?? ""
        guard UUID(uuidString: session) != nil else { throw APIError.invalid("client_session_id", "must be a UUID") }
        let widget = request.body("form_widget_id").textValue ?? ""
        guard widget.count <= 200 else { throw APIError.invalid("form_widget_id", "must be at most 200 characters") }
        try checkItems(request.body("items"))
        let store = request.param("store_id")
        let stamp = JSON.string(Timestamp.format(request.now))
        if var intent = state.checkoutIntents.first(where: { $0["client_session_id"].textValue == session && $0["store_unique_id"].textValue == store }),
            let id = intent["id"].textValue
        {
            if !intent["completed_at"].isNull {
                throw APIError.conflict("Checkout intent is already completed", code: "checkout_intent_completed")
            }
            intent["last_activity_epoch"] = .double(request.now)
            intent["last_activity_at"] = stamp
            state.checkoutIntents[id] = intent
            return .created(capture(intent, now: request.now))
        }
        let id = state.random.uuidV7(epoch: request.now)
        var fields = request.body("fields")
        if fields.isNull, let prefill = request.body("checkout_intent_prefill_token").textValue,
            let earlier = state.checkoutIntents.first(where: { $0["prefill_token"].textValue == prefill })
        {
            fields = earlier["fields"]
        }
        let intent: JSON = [
            "id": .string(id), "store_unique_id": .string(store), "form_widget_id": .string(widget), "client_session_id": .string(session),
            "checkout_intent_token": .string("cit_" + state.secrets.string(32)), "token_expires_at": .double(request.now + tokenLifetime),
            "prefill_token": .string("cip_" + state.secrets.string(32)), "prefill_expires_at": .double(request.now + prefillLifetime),
            "last_sequence": 0, "started_at": stamp, "started_epoch": .double(request.now), "last_activity_at": stamp,
            "last_activity_epoch": .double(request.now), "completed_at": .null, "order_id": .null,
            "fields": fields.isNull ? [:] : fields, "items": request.body("items").isNull ? [] : request.body("items"),
            "attribution": request.body("attribution"), "source_url": request.body("source_url"), "cart_id": request.body("cart_id"),
            "follow_up_email_sent_at": .null,
        ]
        state.checkoutIntents[id] = intent
        return .created(capture(intent, now: request.now))
    }

    static func status(_ intent: JSON, now: Double) -> String {
        if !intent["completed_at"].isNull { return "completed" }
        return now - (intent["last_activity_epoch"].doubleValue ?? now) >= idle ? "abandoned" : "active"
    }

    static func capture(_ intent: JSON, now: Double) -> JSON {
        [
            "id": intent["id"], "form_widget_id": intent["form_widget_id"], "checkout_intent_token": intent["checkout_intent_token"],
            "status": .string(status(intent, now: now)), "last_sequence": intent["last_sequence"], "started_at": intent["started_at"],
            "last_activity_at": intent["last_activity_at"],
            "expires_at": .string(Timestamp.format(intent["token_expires_at"].doubleValue ?? now)),
        ]
    }

    static func summary(_ intent: JSON, now: Double) -> JSON {
        [
            "id": intent["id"], "status": .string(status(intent, now: now)), "store_unique_id": intent["store_unique_id"],
            "form_widget_id": intent["form_widget_id"], "customer_name": intent["fields"]["name"],
            "customer_email": intent["fields"]["email"], "customer_phone": intent["fields"]["phone"],
            "started_at": intent["started_at"], "last_activity_at": intent["last_activity_at"], "completed_at": intent["completed_at"],
            "order_id": intent["order_id"], "follow_up_email_sent_at": intent["follow_up_email_sent_at"],
        ]
    }

    /// At most 100 items, each quantity (when given) between 1 and ``RequestNumbers/maxQuantity``.
    static func checkItems(_ items: JSON) throws {
        guard let items = items.arrayValue else { return }
        if items.count > 100 { throw APIError.invalid("items", "must hold at most 100 items") }
        let errors = items.enumerated().flatMap { index, item in
            item["quantity"].isNull ? [] : RequestNumbers.fieldErrors {
                _ = try RequestNumbers.integer(item["quantity"], "items[\(index)].quantity", in: 1...RequestNumbers.maxQuantity)
            }
        }
        if !errors.isEmpty { throw APIError.validation(errors) }
    }

    static func detail(_ intent: JSON, state: SandboxState, now: Double) -> JSON {
        var view = summary(intent, now: now)
        view["fields"] = intent["fields"]
        view["attribution"] = intent["attribution"]
        view["items"] = .array((intent["items"].arrayValue ?? []).map { item in
            let variant = state.variants[item["variant_id"].intValue ?? -1]
            let option = state.bundlePriceOptions[item["bundle_price_option_id"].intValue ?? -1]
            let price = OrderFactory.amount((variant ?? option ?? [:])["price"])
            let quantity = item["quantity"].intValue ?? 1
            return [
                "type": item["type"], "variant_id": item["variant_id"], "bundle_price_option_id": item["bundle_price_option_id"],
                "quantity": .int(quantity), "name": (variant ?? option ?? [:])["name"], "unit_price": OrderFactory.money(price),
                "line_total": OrderFactory.money(price * quantity), "currency": "IDR",
            ]
        })
        view["recovery_url"] = .string("\(state.publicBase)/checkout/recover?checkout_intent_prefill_token=\(intent["prefill_token"].textValue ?? "")")
        view["recovery_url_expires_at"] = .string(Timestamp.format(intent["prefill_expires_at"].doubleValue ?? now))
        return view
    }

    static func list(_ request: SandboxRequest, _ state: SandboxState) throws -> SandboxReply {
        let query = request.query
        if let status = query["status"], !status.isEmpty, !["active", "abandoned", "completed"].contains(status) {
            throw APIError.invalid("status", "must be active, abandoned or completed")
        }
        let sortBy = query["sort_by"] ?? "last_activity_at"
        guard ["last_activity_at", "started_at", "completed_at"].contains(sortBy) else {
            throw APIError.invalid("sort_by", "must be last_activity_at, started_at or completed_at")
        }
        let ascending = query["sort_direction"] == "asc"
        if let size = query["page_size"], let value = Int(size), !(1...100).contains(value) {
            throw APIError.invalid("page_size", "must be from 1 to 100")
        }
        var intents = state.checkoutIntents.ascending.filter { intent in
            if let status = query["status"], !status.isEmpty, self.status(intent, now: request.now) != status { return false }
            if let store = query["store_unique_id"], !store.isEmpty, intent["store_unique_id"].textValue != store { return false }
            if let widget = query["form_widget_id"], !widget.isEmpty, intent["form_widget_id"].textValue != widget { return false }
            if let from = query["started_at_from"].flatMap(Timestamp.parse), (intent["started_epoch"].doubleValue ?? 0) < from { return false }
            if let until = query["started_at_until"].flatMap(Timestamp.parse), (intent["started_epoch"].doubleValue ?? 0) > until { return false }
            if let search = query["search"]?.lowercased(), !search.isEmpty {
                return intent["fields"].description.lowercased().contains(search)
            }
            return true
        }
        intents.sort { left, right in
            let a = left[sortBy].textValue ?? ""
            let b = right[sortBy].textValue ?? ""
            if a != b { return ascending ? a < b : a > b }
            return (left["id"].textValue ?? "") > (right["id"].textValue ?? "")
        }
        return .ok(try CursorPage.page(intents.map { summary($0, now: request.now) }, key: { $0["id"].textValue ?? "" }, request: request, defaultSize: 20, maximum: 100))
    }

    /// Marks the intent holding `token` completed by an order.
    static func complete(token: String, orderID: JSON, state: inout SandboxState, now: Double) {
        guard var intent = state.checkoutIntents.first(where: { $0["checkout_intent_token"].textValue == token }),
            let id = intent["id"].textValue
        else { return }
        intent["completed_at"] = .string(Timestamp.format(now))
        intent["order_id"] = orderID
        state.checkoutIntents[id] = intent
    }
}
