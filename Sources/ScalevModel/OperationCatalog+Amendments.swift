extension OperationCatalog {
    /// The catalog with what ../shared/scalev-api.md adds to it: which list filters take comma
    /// lists, the paging parameters of the lists the catalog gives none, `b_uid` on every
    /// business route, and the types and values of the body fields the notes describe.
    func amendedByNotes() -> OperationCatalog {
        OperationCatalog(operations: operations.map { operation in
            var operation = operation
            let lists = Self.commaLists[operation.operationID] ?? []
            for index in operation.queryParameters.indices where lists.contains(operation.queryParameters[index].name) {
                operation.queryParameters[index].isList = true
            }
            if Self.pagedWithoutParameters.contains(operation.operationID) { operation.queryParameters += Self.paging }
            if !operation.queryParameters.contains(where: { $0.name == "b_uid" }) {
                operation.queryParameters.append(.init(name: "b_uid", required: false, type: "string"))
            }
            if let fields = Self.bodyFields[operation.operationID] { operation.body?.fields = fields }
            return operation
        })
    }

    /// Filters that take a comma list, by operation (§2, §3b; the sandbox matches any item).
    static let commaLists: [String: Set<String>] = [
        "listOrders": [
            "status", "payment_status", "payment_method", "platform", "awb_ca_status", "tags", "columns", "store_id", "order_id",
            "external_id", "shipment_status",
        ],
        "listProducts": ["store_id"],
        "countProducts": ["store_id"],
    ]

    /// Cursor-paged lists whose catalog entry declares no query parameters (§3c, §6).
    static let pagedWithoutParameters: Set<String> = ["listBusinessCustomers", "listVariantCustomers"]

    /// `page_size`, `next_cursor`, `previous_cursor` (§8).
    static let paging: [CatalogOperation.Parameter] = [
        .init(name: "page_size", required: false, type: "integer"),
        .init(name: "next_cursor", required: false, type: "string"),
        .init(name: "previous_cursor", required: false, type: "string"),
    ]

    /// Body fields whose types or values the notes give (§2, §3b, §13).
    static let bodyFields: [String: [CatalogOperation.Parameter]] = {
        let order: [CatalogOperation.Parameter] = [
            .init(name: "payment_method", required: false, type: "string", allowed: ScalevEnums.paymentMethods),
            .init(name: "shipment_provider_code", required: false, type: "string", allowed: ScalevEnums.shipmentProviders),
            .init(name: "location_id", required: false, type: "integer"),
            .init(name: "courier_service_id", required: false, type: "integer"),
            .init(name: "shipping_cost", required: false, type: "number"),
            .init(name: "ordervariants", required: false, type: "array"),
            .init(name: "orderbundles", required: false, type: "array"),
            .init(name: "metadata", required: false, type: "object"),
            .init(name: "agent_context", required: false, type: "object"),
            .init(name: "is_dropshipping", required: false, type: "boolean"),
            .init(name: "is_probably_spam", required: false, type: "boolean"),
        ]
        let ids = CatalogOperation.Parameter(name: "ids", required: true, type: "array")
        return [
            "createOrder": order,
            "updateOrder": order,
            "changeOrderStatus": [
                ids,
                .init(name: "status", required: false, type: "string", allowed: ScalevEnums.orderStatuses),
                .init(name: "payment_status", required: false, type: "string", allowed: ScalevEnums.paymentStatuses),
                .init(name: "payment_method", required: false, type: "string", allowed: ScalevEnums.paymentMethods),
            ],
            "deleteOrders": [ids],
            "updateOrderTags": [.init(name: "tags", required: true, type: "array")],
            "updateBusinessCustomerTags": [.init(name: "tags", required: true, type: "array")],
            "createProduct": [
                .init(name: "item_type", required: true, type: "string", allowed: ScalevEnums.itemTypes),
                .init(name: "variants", required: false, type: "array"),
            ],
        ]
    }()
}

/// The value sets of ../shared/scalev-api.md §13 that bodies and the routes outside the catalog use.
enum ScalevEnums {
    /// An order's `status` (list filters also take `shipped_rts`).
    static let orderStatuses = ["draft", "pending", "confirmed", "in_process", "ready", "shipped", "completed", "canceled", "rts", "closed"]
    /// An order's `payment_status`.
    static let paymentStatuses = ["unpaid", "paid", "conflict", "settled"]
    /// The 31 flat `payment_method` codes.
    static let paymentMethods = [
        "va_bca", "va_bni", "va_bri", "va_mandiri", "va_permata", "va_cimb", "va_bsi", "va_maybank", "va_bnc", "va_danamon",
        "va_artha_graha", "va_muamalat", "va_btn", "va_ocbc", "va_bjb", "va_sahabat_sampoerna", "va_artajasa", "qris", "card",
        "invoice", "payment_link", "alfamart", "ovo", "dana", "shopeepay", "linkaja", "gopay", "no_payment", "bank_transfer",
        "marketplace", "cod",
    ]
    /// `shipment_provider_code`.
    static let shipmentProviders = ["mengantar", "lincah", "ninja"]
    /// A variant's `item_type`.
    static let itemTypes = ["physical", "digital", "course", "license", "subscription"]
    /// A customer subscription's `status`.
    static let subscriptionStatuses = ["unactivated", "active", "canceled", "expired", "failed"]
    /// A checkout intent's `status`.
    static let checkoutIntentStatuses = ["active", "abandoned", "completed"]
}
