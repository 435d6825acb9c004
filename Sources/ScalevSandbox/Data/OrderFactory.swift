import ScalevModel

/// Builds order records in Scalev's order shape, for seeding and for every create route.
enum OrderFactory {
    /// One line to be ordered: a variant, or a bundle price option.
    struct Line {
        var variant: JSON?
        var bundlePriceOption: JSON?
        var quantity: Int
    }

    /// Shipping facts of a physical order.
    struct Shipment {
        var address: String
        var location: JSON
        var postalCode: String?
        var warehouse: JSON
        var courierService: JSON
        var shippingCost: Int
        var providerCode: String?
    }

    static let paymentMethods = [
        "va_bca", "va_bni", "va_bri", "va_mandiri", "va_permata", "va_cimb", "va_bsi", "va_maybank", "va_bnc", "va_danamon",
        "va_artha_graha", "va_muamalat", "va_btn", "va_ocbc", "va_bjb", "va_sahabat_sampoerna", "va_artajasa", "qris", "card",
        "invoice", "payment_link", "alfamart", "ovo", "dana", "shopeepay", "linkaja", "gopay", "no_payment", "bank_transfer",
        "marketplace", "cod",
    ]
    static let statuses = ["draft", "pending", "confirmed", "in_process", "ready", "shipped", "completed", "canceled", "rts", "closed"]
    static let paymentStatuses = ["unpaid", "paid", "conflict", "settled"]

    static func money(_ amount: Int) -> JSON { .string("\(amount).00") }

    /// The whole rupiah of a stored amount (0 when it is not a number the sandbox could have stored).
    static func amount(_ value: JSON) -> Int {
        guard let number = value.doubleValue, number.magnitude < 0x1p62 else { return 0 }
        return Int(number)
    }

    /// Whether a line ships something physical.
    static func isPhysical(_ line: Line) -> Bool {
        if let variant = line.variant { return variant["item_type"].textValue == "physical" }
        return line.bundlePriceOption?["item_type"].textValue == "physical"
    }

    /// The gateway payload for `method` (see the notes' `pg_payment_info` shapes).
    static func paymentInfo(method: String, slug: String, customerName: String, random: inout SeededGenerator) -> JSON {
        if method.hasPrefix("va_") {
            return [
                "payment_method": [
                    "virtual_account": [
                        "channel_properties": [
                            "virtual_account_number": .string("8808" + random.string(10, alphabet: "0123456789")),
                            "customer_name": .string(customerName),
                        ]
                    ]
                ]
            ]
        }
        switch method {
        case "qris": return ["qr_string": .string("00020101021226" + random.string(40, alphabet: "0123456789ABCDEF"))]
        case "ovo", "dana", "shopeepay", "linkaja", "gopay":
            return ["actions": [["url_type": "DEEPLINK", "url": .string("https://pay.sandbox.invalid/\(method)/\(slug)")]]]
        case "card": return ["redirect_url": .string("https://pay.sandbox.invalid/card/\(slug)")]
        case "invoice": return ["invoice_url": .string("https://pay.sandbox.invalid/invoice/\(slug)")]
        case "alfamart":
            return ["payment_method": ["over_the_counter": ["channel_properties": ["payment_code": .string(random.string(12, alphabet: "0123456789"))]]]]
        default: return [:]
        }
    }

    static func provider(for method: String) -> JSON {
        if method.hasPrefix("va_") || ["qris", "card", "invoice", "alfamart", "ovo", "dana", "shopeepay", "linkaja", "gopay"].contains(method) {
            return "xendit"
        }
        return .null
    }

    static func orderline(_ line: Line, id: Int) -> JSON {
        if let variant = line.variant {
            let price = amount(variant["price"])
            return [
                "id": .int(id), "quantity": .int(line.quantity), "product_name": variant["product_name"],
                "variant_id": variant["id"], "variant_unique_id": variant["unique_id"], "variant_uuid": variant["uuid"],
                "variant_sku": variant["sku"], "item_type": variant["item_type"], "pricing_type": variant["pricing_type"],
                "currency": "IDR", "variant_price": money(price), "product_price": money(price * line.quantity),
                "discount": money(0), "cogs": money(price * line.quantity / 2),
                "variant_option1_value": variant["option1_value"], "variant_option2_value": .null, "variant_option3_value": .null,
                "is_file_enabled": .bool(variant["item_type"].textValue == "digital"),
                "is_lms_enabled": .bool(variant["item_type"].textValue == "course"),
                "is_license_enabled": .bool(variant["item_type"].textValue == "license"),
                "interval": variant["interval"], "interval_count": variant["interval_count"],
            ]
        }
        let option = line.bundlePriceOption ?? [:]
        let price = amount(option["price"])
        return [
            "id": .int(id), "quantity": .int(line.quantity), "product_name": option["name"],
            "bundle_price_option_id": option["id"], "bundle_price_option_unique_id": option["unique_id"],
            "variant_sku": .null, "item_type": option["item_type"], "pricing_type": "one_time", "currency": "IDR",
            "variant_price": money(price), "product_price": money(price * line.quantity), "discount": money(0),
            "cogs": money(price * line.quantity / 2), "variant_option1_value": .null, "variant_option2_value": .null,
            "variant_option3_value": .null, "is_file_enabled": false, "is_lms_enabled": false, "is_license_enabled": false,
            "interval": .null, "interval_count": .null,
        ]
    }

    /// A new order record (not yet stored).
    static func make(
        state: inout SandboxState, store: JSON, customer: JSON, lines: [Line], paymentMethod: String,
        shipment: Shipment?, createdAt: Double, status: String = "pending", paymentStatus: String = "unpaid",
        fields: [String: JSON] = [:]
    ) -> JSON {
        let id = state.random.uuidV7(epoch: createdAt)
        let slug = state.random.string(22, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789")
        let orderNumber = String(Timestamp.day(createdAt).replacingOccurrences(of: "-", with: "").dropFirst(2))
            + state.random.string(6, alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZ")
        var orderlines: [JSON] = []
        for line in lines { orderlines.append(orderline(line, id: state.number())) }
        let productPrice = orderlines.reduce(0) { $0 + amount($1["product_price"]) }
        let shippingCost = shipment?.shippingCost ?? 0
        let productDiscount = amount(fields["product_discount"] ?? .null)
        let shippingDiscount = amount(fields["shipping_discount"] ?? .null)
        let otherIncome = amount(fields["other_income"] ?? .null)
        let gross = productPrice + shippingCost - productDiscount - shippingDiscount + otherIncome
        let publicURL = "\(state.publicBase)/o/\(slug)"
        let stamp = JSON.string(Timestamp.format(createdAt))
        var order: [String: JSON] = [
            "id": .string(id), "order_id": .string(orderNumber), "secret_slug": .string(slug),
            "public_order_url": .string(publicURL), "payment_url": .string(publicURL + "/success"),
            "status": .string(status), "payment_status": .string(paymentStatus), "payment_method": .string(paymentMethod),
            "epayment_provider": provider(for: paymentMethod),
            "pg_payment_info": paymentInfo(method: paymentMethod, slug: slug, customerName: customer["name"].textValue ?? "", random: &state.random),
            "pg_paid_info": .null, "pg_reference_id": .string("pgref_" + state.random.string(16)),
            "financial_entity": .null, "external_id": .null,
            "store": ["id": store["id"], "unique_id": store["unique_id"], "name": store["name"]],
            "store_id": store["id"],
            "customer": ["id": customer["id"], "name": customer["name"], "email": customer["email"], "phone": customer["phone"]],
            "customer_id": customer["id"],
            "customer_name": customer["name"], "customer_email": customer["email"], "customer_phone": customer["phone"],
            "orderlines": .array(orderlines),
            "product_price": money(productPrice), "shipping_cost": money(shippingCost), "gross_revenue": money(gross),
            "net_revenue": money(gross - shippingCost), "product_discount": money(productDiscount),
            "shipping_discount": money(shippingDiscount), "unique_code_discount": money(0), "discount_code_discount": money(0),
            "other_income": money(otherIncome), "other_income_name": fields["other_income_name"] ?? .null,
            "payment_link_income": money(0), "scalev_fee": money(0), "payment_fee": money(0),
            "net_payment_revenue": money(gross), "cogs": money(orderlines.reduce(0) { $0 + amount($1["cogs"]) }),
            "awb_status": .null, "awb_ca_status": .null, "shipment_provider_code": .null, "shipment_receipt": .null,
            "shipment_status_history": [], "courier_service": .null, "destination_address": .null, "origin_address": .null,
            "warehouse": .null, "tags": fields["tags"] ?? [], "metadata": fields["metadata"] ?? [:],
            "agent_context": fields["agent_context"] ?? .null, "notes": fields["notes"] ?? .null, "platform": "scalev",
            "is_repeat": false, "is_dropshipping": fields["is_dropshipping"] ?? false,
            "dropshipper_name": fields["dropshipper_name"] ?? .null, "dropshipper_phone": fields["dropshipper_phone"] ?? .null,
            "is_probably_spam": fields["is_probably_spam"] ?? false, "is_from_form": false, "transferproof_url": fields["transferproof_url"] ?? .null,
            "payment_link_id": .null, "is_from_payment_link": .bool(paymentMethod == "payment_link"),
            "created_at": stamp, "last_updated_at": stamp,
            "status_history": [["status": .string(status), "timestamp": stamp]],
            "payment_status_history": [["payment_status": .string(paymentStatus), "timestamp": stamp]],
        ]
        for name in statuses { order["\(name)_time"] = .null }
        for name in paymentStatuses { order["\(name)_time"] = .null }
        order["\(status)_time"] = stamp
        order["\(paymentStatus)_time"] = stamp
        if let shipment {
            order["shipment_provider_code"] = shipment.providerCode.json
            order["courier_service"] = shipment.courierService
            order["warehouse"] = shipment.warehouse
            order["awb_status"] = "unavailable"
            order["awb_ca_status"] = "unavailable"
            order["origin_address"] = shipment.warehouse["address"]
            order["destination_address"] = [
                "id": .int(state.number()), "name": customer["name"], "phone": customer["phone"], "address": .string(shipment.address),
                "subdistrict": shipment.location["subdistrict_name"], "city": shipment.location["city_name"],
                "province": shipment.location["province_name"],
                "postal_code": shipment.postalCode.json, "location": shipment.location,
            ]
        }
        return .object(order)
    }

    /// Stores `order` and indexes its slug.
    static func insert(_ order: JSON, into state: inout SandboxState) {
        guard let id = order["id"].textValue else { return }
        state.orders[id] = order
        if let slug = order["secret_slug"].textValue { state.ordersBySlug[slug] = id }
    }
}
