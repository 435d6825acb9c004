extension OperationCatalog {
    /// The routes the Lua modules bind that the v3 catalog does not hold — checkout intents, the
    /// storefront, the signed-in customer and legacy v2 — written from ../shared/scalev-api.md
    /// (§4, §5, §6, §14), so that their parameters are checked as the catalog's are. Storefront
    /// and customer paths take the store's unique id as `store_id`.
    public static let notes = OperationCatalog(operations: notesOperations)
}

private typealias Parameter = CatalogOperation.Parameter

private func query(_ name: String, _ type: String = "string", _ allowed: [String] = []) -> Parameter {
    Parameter(name: name, required: false, type: type, allowed: allowed)
}

private func field(_ name: String, _ type: String? = nil, _ allowed: [String] = [], required: Bool = false) -> Parameter {
    Parameter(name: name, required: required, type: type, allowed: allowed)
}

/// A JSON body of these fields (all of them known, the required ones marked).
private func body(_ fields: [Parameter]) -> CatalogOperation.Body {
    CatalogOperation.Body(
        required: fields.contains(where: \.required), contentTypes: ["application/json"],
        requiredFields: fields.filter(\.required).map(\.name), properties: fields.map(\.name), fields: fields)
}

private func route(_ id: String, _ method: String, _ path: String, _ summary: String, scopes: [String] = [],
                   query: [Parameter] = [], body: CatalogOperation.Body? = nil) -> CatalogOperation {
    var operation = CatalogOperation(
        operationID: id, method: method, path: path, summary: summary, scopes: scopes, readOnly: method == "GET",
        pathParameters: [], queryParameters: query, body: body)
    operation.pathParameters = operation.templateNames.map { Parameter(name: $0, required: true, type: "string") }
    return operation
}

private let paging = [query("page_size", "integer"), query("next_cursor"), query("previous_cursor")]
private let storefront = "/v3/stores/{store_id}/public"
private let me = "/v3/stores/{store_id}/customers/me"

/// Cart items: `{type = "variant", variant_id, quantity}` or `{type = "bundle_price_option", bundle_price_option_id, quantity}`.
private let cartItem = body([
    field("type", "string", ["variant", "bundle_price_option"]), field("variant_id", "integer"),
    field("bundle_price_option_id", "integer"), field("bundle_price_option_unique_id", "string"), field("quantity", "integer", required: true),
])
private let quantity = body([field("quantity", "integer", required: true)])
private let paymentMethod = field("payment_method", "string", ScalevEnums.paymentMethods)
private let shipping = [
    field("courier_service_id", "integer"), field("warehouse_unique_id", "string"), field("courier_aggregator_code", "string"),
    field("shipping_option", "object"), field("selected_shipping_option", "object"), paymentMethod, field("discount_code_code", "string"),
]

private let orderFields: [Parameter] = {
    let required: Set = ["store_unique_id", "customer_name"]
    let types: [String: Parameter] = Dictionary(
        (OperationCatalog.bodyFields["createOrder"] ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let names = [
        "store_unique_id", "customer_name", "customer_phone", "customer_email", "ordervariants", "orderbundles", "payment_method",
        "payment_account_unique_id", "financial_entity_id", "payment_account_holder", "payment_account_number", "address", "location_id",
        "postal_code", "warehouse_unique_id", "courier_service_id", "shipping_cost", "shipment_provider_code", "product_discount",
        "shipping_discount", "other_income", "other_income_name", "is_dropshipping", "dropshipper_name", "dropshipper_phone",
        "transferproof_url", "is_probably_spam", "page_unique_id", "channel_unique_id", "metadata", "agent_context", "notes",
    ]
    return names.map { name in
        var rule = types[name] ?? field(name)
        rule.required = required.contains(name)
        return rule
    }
}()

private let notesOperations: [CatalogOperation] = [
    // §4d checkout intents (business)
    route("listCheckoutIntents", "GET", "/v3/checkout-intents", "List contactable checkout intents", scopes: ["checkout_intent:list"], query: [
        query("status", "string", ScalevEnums.checkoutIntentStatuses), query("search"), query("store_unique_id"), query("page_unique_id"),
        query("form_widget_id"), query("started_at_from"), query("started_at_until"),
        query("sort_by", "string", ["last_activity_at", "started_at", "completed_at"]), query("sort_direction", "string", ["asc", "desc"]),
    ] + paging),
    route("getCheckoutIntent", "GET", "/v3/checkout-intents/{checkout_intent_id}", "Checkout intent detail", scopes: ["checkout_intent:read"]),
    route("sendCheckoutIntentFollowUpEmail", "POST", "/v3/checkout-intents/{checkout_intent_id}/follow-up-email", "Queue one recovery email",
          scopes: ["checkout_intent:follow_up"]),

    // §4a storefront public
    route("listStorefrontItems", "GET", storefront + "/items", "Catalog cards", query: [query("search")] + paging),
    route("getStorefrontProduct", "GET", storefront + "/products/{slug}", "Product detail with variants"),
    route("listStorefrontPaymentMethods", "GET", storefront + "/payment-methods", "Checkout payment methods"),
    route("listStorefrontLocations", "GET", storefront + "/locations", "Location search", query: [query("search")] + paging),
    route("getStorefrontCart", "GET", storefront + "/cart", "Read or create the guest cart"),
    route("addStorefrontCartItem", "POST", storefront + "/cart/items", "Add a cart item", body: cartItem),
    route("updateStorefrontCartItem", "PATCH", storefront + "/cart/items/{item_id}", "Change a cart item's quantity", body: quantity),
    route("removeStorefrontCartItem", "DELETE", storefront + "/cart/items/{item_id}", "Remove a cart item"),
    route("listStorefrontShippingOptions", "POST", storefront + "/checkout/shipping-options", "Courier quotes", body: body([
        field("items", "array"), field("cart_id"), field("destination", "object", required: true), paymentMethod,
    ])),
    route("getStorefrontCheckoutSummary", "POST", storefront + "/checkout/summary", "Price breakdown", body: body([
        field("items", "array"), field("cart_id"), field("destination", "object"), field("shipping_cost"),
    ] + shipping)),
    route("createStorefrontCheckout", "POST", storefront + "/checkout", "Create an order from items or the guest cart", body: body([
        field("customer_name", "string", required: true), field("customer_email", "string", required: true), field("items", "array"),
        field("customer_phone", "string"), field("shipping_address", "string"), field("shipping_province", "string"),
        field("shipping_city", "string"), field("shipping_subdistrict", "string"), field("shipping_postal_code", "string"),
        field("shipping_location_id", "integer"), field("location_id", "integer"), field("notes", "string"),
        field("checkout_intent_token", "string"),
    ] + shipping)),
    route("getStorefrontOrder", "GET", storefront + "/orders/{secret_slug}", "Buyer order page data"),
    route("createStorefrontOrderPayment", "POST", storefront + "/orders/{secret_slug}/payment", "Create or fetch the gateway payment"),

    // §4b, §5, §6 signed-in customer
    route("getCustomerProfile", "GET", me, "Profile"),
    route("updateCustomerProfile", "PATCH", me, "Edit the profile (email is read-only)", body: body([
        field("name", "string"), field("phone", "string"), field("date_of_birth", "string"), field("sex", "string"),
        field("is_unsubscribe", "boolean"),
    ])),
    route("listCustomerAddresses", "GET", me + "/addresses", "Address book", query: paging),
    route("getCustomerCart", "GET", me + "/cart", "Customer cart"),
    route("addCustomerCartItem", "POST", me + "/cart/items", "Add a cart item", body: cartItem),
    route("listCustomerShippingOptions", "POST", me + "/checkout/shipping-options", "Courier quotes", body: body([
        field("items", "array"), field("cart_id"), field("location_id", "integer"), field("postal_code"), paymentMethod,
    ])),
    route("getCustomerCheckoutSummary", "POST", me + "/checkout/summary", "Totals", body: body([
        field("items", "array"), field("cart_id"), field("location_id", "integer"), field("postal_code"),
    ] + shipping)),
    route("createCustomerCheckout", "POST", me + "/checkout", "Create an order from items and/or the cart", body: body([
        field("checkout_intent_token", "string"), field("items", "array"), field("cart_id"), field("address_id"),
        field("address", "string"), field("location_id", "integer"), field("postal_code"), field("notes", "string"),
    ] + shipping)),
    route("listCustomerOrders", "GET", me + "/orders", "Order history", query: paging),
    route("getCustomerOrder", "GET", me + "/orders/{id}", "One order"),
    route("listCustomerSubscriptions", "GET", me + "/subscriptions", "Own subscriptions",
          query: [query("status", "string", ScalevEnums.subscriptionStatuses)] + paging),
    route("getCustomerSubscription", "GET", me + "/subscriptions/{id}", "One subscription"),
    route("cancelCustomerSubscription", "POST", me + "/subscriptions/{id}/cancel", "Cancel at period end"),
    route("resumeCustomerSubscription", "POST", me + "/subscriptions/{id}/resume", "Undo a pending cancel"),
    route("listSubscriptionItemUpgrades", "GET", me + "/subscription-items/{id}/upgrade", "Higher-priced variant options"),
    route("upgradeSubscriptionItem", "POST", me + "/subscription-items/{id}/upgrade", "Upgrade an item",
          body: body([field("variant_id", "integer", required: true)])),
    route("listSubscriptionItemDowngrades", "GET", me + "/subscription-items/{id}/downgrade", "Lower-priced variant options"),
    route("downgradeSubscriptionItem", "POST", me + "/subscription-items/{id}/downgrade", "Downgrade an item",
          body: body([field("variant_id", "integer", required: true)])),
    route("getCustomerCourse", "GET", me + "/variants/{uuid}/course", "A course the customer owns"),
    route("getCustomerCourseSection", "GET", me + "/course-sections/{uuid}", "A course section"),
    route("getCustomerCourseContent", "GET", me + "/course-contents/{uuid}", "A lesson"),
    route("updateCustomerCourseProgress", "PATCH", me + "/course-contents/{uuid}", "Record progress",
          body: body([field("progress", "number", required: true)])),

    // §14 legacy v2
    route("listV2Orders", "GET", "/v2/orders", "List orders (last_id paging)",
          query: [query("status", "string", ScalevEnums.orderStatuses), query("page_size", "integer"), query("last_id")]),
    route("getV2Order", "GET", "/v2/orders/{id}", "Get an order"),
    route("createV2Order", "POST", "/v2/orders", "Create an order", body: body(orderFields)),
    route("listV2Products", "GET", "/v2/products", "List products", query: [query("page", "integer"), query("page_size", "integer")]),
    route("getV2Product", "GET", "/v2/products/{id}", "Get a product"),
    route("listV2Bundles", "GET", "/v2/bundles", "List bundles", query: [query("page", "integer"), query("page_size", "integer")]),
    route("getV2Bundle", "GET", "/v2/bundles/{id}", "Get a bundle"),
    route("listV2Stores", "GET", "/v2/stores", "List stores", query: [query("page", "integer"), query("page_size", "integer")]),
    route("getV2Store", "GET", "/v2/stores/{id}", "Get a store"),
]
