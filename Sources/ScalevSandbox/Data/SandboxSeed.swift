import ScalevModel

/// The deterministic starting data: one business, three stores, products of every item type,
/// bundles, customers, locations and a few hundred orders over the six months before an anchor
/// (``SandboxConfiguration/anchor``). The same seed and anchor give the same data; the keys and
/// secrets are not drawn from the seed (see ``SecretGenerator``).
struct SandboxSeed {
    /// Seconds since the epoch at which the history ends: every seeded date is before it, so
    /// orders created later sort newer.
    let anchor: Double

    /// The data of `seed`; its credentials' secrets are drawn from `secrets`, which the state keeps.
    static func make(seed: UInt64, orderCount: Int, scopes: Set<String>, anchor: Double, secrets: SecretGenerator) -> SandboxState {
        SandboxSeed(anchor: anchor).make(seed: seed, orderCount: orderCount, scopes: scopes, secrets: secrets)
    }

    private func make(seed: UInt64, orderCount: Int, scopes: Set<String>, secrets: SecretGenerator) -> SandboxState {
        var random = SeededGenerator(seed: seed)
        var secrets = secrets
        let credentials = SandboxCredentials(
            businessKey: "", restrictedKey: "", storefrontKey: "", storeUniqueID: "store_" + random.string(24),
            customerEmail: "buyer@example.com", customerPassword: "", webhookSecret: "", oauthClientID: "app_" + random.string(20),
            oauthClientSecret: "", oauthRedirectURI: "http://127.0.0.1/oauth/callback", otpStoreUniqueID: "store_" + random.string(24),
            otpStorefrontKey: "", otpCustomerEmail: "otp-buyer@example.com"
        ).withSecrets(from: &secrets)
        var state = SandboxState(
            random: random, secrets: secrets, credentials: credentials,
            business: [
                "id": 501, "unique_id": .string("business_" + random.string(16)), "username": "tokolunas",
                "name": "Toko Lunas Sandbox", "is_enabled": true,
            ])
        state.secretKeys = [credentials.businessKey]
        state.restrictedKeys[credentials.restrictedKey] = scopes.filter { $0.hasSuffix(":list") || $0.hasSuffix(":read") }.sorted()
        state.storefrontKeys[credentials.storefrontKey] = credentials.storeUniqueID
        state.storefrontKeys[credentials.otpStorefrontKey] = credentials.otpStoreUniqueID
        state.oauthClients[credentials.oauthClientID] = OAuthClient(
            clientID: credentials.oauthClientID, clientSecret: credentials.oauthClientSecret, name: "Sandbox App",
            redirectURIs: [credentials.oauthRedirectURI], availableScopes: scopes.sorted())
        seedPlaces(&state)
        seedStores(&state)
        seedCatalog(&state)
        seedCustomers(&state)
        seedOrders(&state, count: orderCount)
        seedSubscriptions(&state)
        return state
    }

    private func uuid(_ state: inout SandboxState) -> String { state.random.uuidV4() }

    private func seedPlaces(_ state: inout SandboxState) {
        let places: [(String, String, String)] = [
            ("Menteng", "Jakarta Pusat", "DKI Jakarta"), ("Gambir", "Jakarta Pusat", "DKI Jakarta"),
            ("Kebayoran Baru", "Jakarta Selatan", "DKI Jakarta"), ("Tebet", "Jakarta Selatan", "DKI Jakarta"),
            ("Coblong", "Bandung", "Jawa Barat"), ("Sukajadi", "Bandung", "Jawa Barat"),
            ("Gubeng", "Surabaya", "Jawa Timur"), ("Tegalsari", "Surabaya", "Jawa Timur"),
            ("Denpasar Barat", "Denpasar", "Bali"), ("Kuta", "Badung", "Bali"),
            ("Medan Baru", "Medan", "Sumatera Utara"), ("Gondokusuman", "Yogyakarta", "DI Yogyakarta"),
            ("Candisari", "Semarang", "Jawa Tengah"), ("Ujung Pandang", "Makassar", "Sulawesi Selatan"),
            ("Ilir Timur I", "Palembang", "Sumatera Selatan"), ("Banjarmasin Tengah", "Banjarmasin", "Kalimantan Selatan"),
        ]
        for (index, place) in places.enumerated() {
            let id = 3100 + index * 7
            state.locations[id] = [
                "id": .int(id), "subdistrict_name": .string(place.0), "city_name": .string(place.1),
                "province_name": .string(place.2), "display": .string("\(place.0), \(place.1), \(place.2)"),
                "postal_codes": .array([.string(String(10110 + index * 131)), .string(String(10111 + index * 131))]),
            ]
        }
        for (index, name) in ["Gudang Jakarta", "Gudang Surabaya"].enumerated() {
            let id = 71 + index
            let location = state.locations[index == 0 ? 3100 : 3142] ?? .null
            state.warehouses[id] = [
                "id": .int(id), "unique_id": .string("warehouse_" + state.random.string(16)), "name": .string(name),
                "location": location, "address": ["address": .string("Jl. Gudang No. \(index + 1)"), "location": location],
            ]
        }
        let couriers: [(String, String, String, Int)] = [
            ("JNE", "jne", "REG", 18000), ("JNE", "jne", "YES", 32000), ("SiCepat", "sicepat", "BEST", 21000),
            ("J&T", "jnt", "EZ", 19000),
        ]
        for (index, courier) in couriers.enumerated() {
            let id = 41 + index
            state.courierServices[id] = [
                "id": .int(id), "name": .string("\(courier.0) \(courier.2)"), "code": .string(courier.2.lowercased()),
                "base_cost": .int(courier.3), "etd": .string(index == 1 ? "1" : "2-3"),
                "courier": ["id": .int(11 + index), "code": .string(courier.1), "name": .string(courier.0), "courier_type": "delivery", "is_pickup": false],
            ]
        }
    }

    private func seedStores(_ state: inout SandboxState) {
        let credentials = state.credentials
        let specs: [(Int, String, String, Bool, Bool)] = [
            (3288, credentials.storeUniqueID, "Toko Kopi Lunas", false, true),
            (3289, credentials.otpStoreUniqueID, "Akademi Lunas", true, true),
            (3290, "store_" + state.random.string(24), "Lunas Grosir (arsip)", false, false),
        ]
        for spec in specs {
            state.stores[spec.0] = [
                "id": .int(spec.0), "unique_id": .string(spec.1), "uuid": .string(uuid(&state)), "name": .string(spec.2),
                "business_id": 501, "is_active": .bool(spec.4), "is_public": .bool(spec.4), "logo": .null,
                "custom_domain": .null, "is_customer_otp_required": .bool(spec.3),
                "payment_methods": ["bank_transfer", "va_bca", "va_bni", "qris", "invoice", "gopay", "cod"],
                "sub_payment_methods": [], "xendit_va_bank_codes": ["BCA", "BNI"],
                "created_at": .string(Timestamp.format(anchor - 400 * 86_400)),
                "last_updated_at": .string(Timestamp.format(anchor - 30 * 86_400)),
            ]
        }
    }

    /// (product name, item type, [(variant name, price)], interval) — covers every item type.
    private static let productSpecs: [(String, String, [(String, Int)])] = [
        ("Kopi Gayo 250g", "physical", [("Biji", 85_000), ("Bubuk", 90_000)]),
        ("Teh Melati Premium", "physical", [("Kaleng 100g", 45_000)]),
        ("Tumbler Stainless", "physical", [("Hitam", 120_000), ("Putih", 120_000)]),
        ("E-book Resep Kopi Rumahan", "digital", [("PDF", 49_000)]),
        ("Kelas Barista Online", "course", [("Akses Selamanya", 350_000)]),
        ("Kopi Club Membership", "subscription", [("Basic", 50_000), ("Plus", 100_000), ("Pro", 200_000)]),
        ("Lisensi Kasir POS", "license", [("1 Perangkat", 250_000)]),
    ]

    private func seedCatalog(_ state: inout SandboxState) {
        let storeIDs = [3288, 3289]
        let storeUniqueIDs = storeIDs.compactMap { state.stores[$0]?["unique_id"] }
        var productID = 8001
        var variantID = 9001
        for spec in Self.productSpecs {
            var variants: [JSON] = []
            let slug = spec.0.lowercased().replacingOccurrences(of: " ", with: "-")
            for (index, option) in spec.2.enumerated() {
                let recurring = spec.1 == "subscription"
                let variant: JSON = [
                    "id": .int(variantID), "unique_id": .string("variant_" + state.random.string(16)),
                    "uuid": .string(uuid(&state)), "product_id": .int(productID), "product_name": .string(spec.0),
                    "name": .string("\(spec.0) - \(option.0)"), "option1_value": .string(option.0),
                    "sku": .string("SKU-\(variantID)"), "price": OrderFactory.money(option.1), "currency": "IDR",
                    "item_type": .string(spec.1), "pricing_type": recurring ? "recurring" : "one_time",
                    "interval": recurring ? "day" : .null, "interval_count": recurring ? 30 : .null,
                    "validity_period": .null, "validity_period_unit": .null,
                    "weight": spec.1 == "physical" ? 250 : 0, "is_active": true,
                    "stock": spec.1 == "physical" ? .int(index == 1 && spec.0.hasPrefix("Tumbler") ? 3 : 500) : .null,
                    "images": [], "position": .int(index + 1),
                ]
                state.variants[variantID] = variant
                variants.append(variant)
                variantID += 1
            }
            state.products[productID] = [
                "id": .int(productID), "uuid": .string(uuid(&state)), "name": .string(spec.0), "public_name": .string(spec.0),
                "slug": .string(slug), "item_type": .string(spec.1), "description": .string("\(spec.0) dari Toko Lunas."),
                "is_multiple": .bool(spec.2.count > 1), "option1_name": spec.2.count > 1 ? "Pilihan" : .null,
                "option2_name": .null, "option3_name": .null, "variants": .array(variants), "images": [],
                "store_ids": .array(storeIDs.map(JSON.int)), "store_unique_ids": .array(storeUniqueIDs),
                "taxonomy": .null, "is_active": true,
                "created_at": .string(Timestamp.format(anchor - Double(300 - productID + 8001) * 86_400)),
                "last_updated_at": .string(Timestamp.format(anchor - 10 * 86_400)),
            ]
            if spec.1 == "course", let course = variants.first { seedCourse(&state, variant: course) }
            productID += 1
        }
        let bundles: [(String, [(Int, Int)], [(String, Int)])] = [
            ("Paket Ngopi Pagi", [(9001, 1), (9004, 1)], [("Paket Reguler", 150_000), ("Paket Hemat x2", 280_000)]),
            ("Paket Belajar Kopi", [(9006, 1), (9007, 1)], [("Paket Lengkap", 375_000)]),
        ]
        var bundleID = 6001
        var optionID = 6501
        for bundle in bundles {
            let physical = bundle.1.contains { state.variants[$0.0]?["item_type"].textValue == "physical" }
            var options: [JSON] = []
            for option in bundle.2 {
                let record: JSON = [
                    "id": .int(optionID), "unique_id": .string("bpo_" + state.random.string(16)), "bundle_id": .int(bundleID),
                    "name": .string(option.0), "slug": .string(option.0.lowercased().replacingOccurrences(of: " ", with: "-")),
                    "price": OrderFactory.money(option.1), "price_bt": OrderFactory.money(option.1),
                    "item_type": physical ? "physical" : "digital", "store_ids": .array(storeIDs.map(JSON.int)),
                ]
                state.bundlePriceOptions[optionID] = record
                options.append(record)
                optionID += 1
            }
            state.bundles[bundleID] = [
                "id": .int(bundleID), "name": .string(bundle.0), "public_name": .string(bundle.0),
                "bundlelines": .array(bundle.1.map { ["variant_id": .int($0.0), "quantity": .int($0.1)] }),
                "bundle_price_options": .array(options), "store_ids": .array(storeIDs.map(JSON.int)),
                "is_bundle_sharing": false, "label": .null,
                "created_at": .string(Timestamp.format(anchor - 90 * 86_400)),
            ]
            bundleID += 1
        }
    }

    private func seedCourse(_ state: inout SandboxState, variant: JSON) {
        var sections: [JSON] = []
        for sectionIndex in 0..<2 {
            let sectionUUID = uuid(&state)
            var contents: [JSON] = []
            for contentIndex in 0..<3 {
                let content: JSON = [
                    "uuid": .string(uuid(&state)), "title": .string("Pelajaran \(sectionIndex + 1).\(contentIndex + 1)"),
                    "text": "Materi pelajaran.", "type": "video", "duration": 600,
                    "video_url": "https://video.sandbox.invalid/lesson", "sequence_order": .int(contentIndex + 1),
                    "is_shown": true, "is_discussion_active": .null, "is_email_notification_active": .null,
                    "section_uuid": .string(sectionUUID), "variant_id": variant["id"],
                ]
                if let key = content["uuid"].textValue { state.courseContents[key] = content }
                contents.append(content)
            }
            let section: JSON = [
                "uuid": .string(sectionUUID), "title": .string(sectionIndex == 0 ? "Dasar-dasar" : "Teknik Seduh"),
                "type": "section", "sequence_order": .int(sectionIndex + 1), "is_shown": true, "variant_id": variant["id"],
                "content_uuids": .array(contents.map { $0["uuid"] }),
            ]
            state.courseSections[sectionUUID] = section
            sections.append(section)
        }
    }

    private static let firstNames = ["Andi", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lestari", "Made", "Nur", "Oka", "Putri", "Rizky", "Sari", "Tono", "Wulan"]
    private static let lastNames = ["Saputra", "Wijaya", "Lestari", "Pratama", "Hidayat", "Santoso", "Kusuma", "Nugroho"]

    private func seedCustomers(_ state: inout SandboxState) {
        let credentials = state.credentials
        for index in 0..<40 {
            let id = 70_001 + index
            let name: String
            let email: String
            if index == 0 {
                name = "Sandbox Buyer"
                email = credentials.customerEmail
            } else if index == 1 {
                name = "OTP Buyer"
                email = credentials.otpCustomerEmail
            } else {
                name = Self.firstNames[index % Self.firstNames.count] + " " + Self.lastNames[(index * 7) % Self.lastNames.count]
                email = name.lowercased().replacingOccurrences(of: " ", with: ".") + "\(index)@example.com"
            }
            state.customers[id] = [
                "id": .int(id), "name": .string(name), "email": .string(email),
                "phone": .string("62812" + state.random.string(7, alphabet: "0123456789")), "tags": index % 5 == 0 ? ["vip"] : [],
                "avatar": .null, "bio_description": .null, "date_of_birth": .null, "sex": .null,
                "confirmed_at": .string(Timestamp.format(anchor - 200 * 86_400)), "status": "active",
                "is_unsubscribe": false, "business_id": 501,
                "created_at": .string(Timestamp.format(anchor - Double(220 - index) * 86_400)),
                "last_updated_at": .string(Timestamp.format(anchor - 100 * 86_400)),
            ]
        }
        state.accounts[credentials.storeUniqueID + "|" + credentials.customerEmail] = CustomerAccount(
            customerID: 70_001, storeUniqueID: credentials.storeUniqueID, email: credentials.customerEmail,
            password: credentials.customerPassword)
        state.accounts[credentials.otpStoreUniqueID + "|" + credentials.otpCustomerEmail] = CustomerAccount(
            customerID: 70_002, storeUniqueID: credentials.otpStoreUniqueID, email: credentials.otpCustomerEmail,
            password: credentials.customerPassword)
    }

    private func seedOrders(_ state: inout SandboxState, count: Int) {
        guard count > 0 else { return }
        let span = 180.0 * 86_400
        let start = anchor - span
        let variantIDs = state.variants.ascending.compactMap { $0["id"].intValue }
        let methods = ["bank_transfer", "va_bca", "va_bni", "qris", "invoice", "gopay", "cod"]
        let tagPool = ["vip", "reseller", "promo", "follow-up", "gift"]
        let flows: [(String, String)] = [
            ("pending", "unpaid"), ("confirmed", "paid"), ("in_process", "paid"), ("shipped", "paid"),
            ("completed", "paid"), ("completed", "settled"), ("canceled", "unpaid"), ("pending", "conflict"),
            ("completed", "paid"), ("rts", "paid"), ("closed", "paid"), ("draft", "unpaid"),
        ]
        for index in 0..<count {
            let createdAt = start + span * Double(index) / Double(count) + Double(state.random.next() % 3000)
            let storeID = index % 4 == 3 ? 3289 : 3288
            guard let store = state.stores[storeID], let customer = state.customers[70_001 + Int(state.random.next() % 40)],
                let variant = state.variants[variantIDs[Int(state.random.next() % UInt64(variantIDs.count))]]
            else { continue }
            let line = OrderFactory.Line(variant: variant, quantity: 1 + Int(state.random.next() % 3))
            var shipment: OrderFactory.Shipment?
            if variant["item_type"].textValue == "physical", let location = state.locations[3100 + 7 * Int(state.random.next() % 16)],
                let warehouse = state.warehouses[71], let courier = state.courierServices[41 + Int(state.random.next() % 4)]
            {
                shipment = OrderFactory.Shipment(
                    address: "Jl. Contoh No. \(index + 1)", location: location, postalCode: location["postal_codes"].arrayValue?.first?.textValue,
                    warehouse: warehouse, courierService: courier, shippingCost: courier["base_cost"].intValue ?? 18_000, providerCode: nil)
            }
            let flow = flows[Int(state.random.next() % UInt64(flows.count))]
            var tags: [JSON] = []
            if index % 6 == 0 { tags.append(.string(tagPool[index % tagPool.count])) }
            if index % 15 == 0 { tags.append("gift") }
            let method = methods[Int(state.random.next() % UInt64(methods.count))]
            var order = OrderFactory.make(
                state: &state, store: store, customer: customer, lines: [line], paymentMethod: method, shipment: shipment,
                createdAt: createdAt, status: flow.0, paymentStatus: flow.1, fields: ["tags": .array(tags)])
            let rank = OrderStatusRules.rank(flow.0) ?? 0
            for (offset, name) in ["pending", "confirmed", "in_process", "ready", "shipped", "completed"].enumerated() where offset + 1 <= rank {
                order["\(name)_time"] = .string(Timestamp.format(createdAt + Double(offset + 1) * 3600 * 6))
            }
            if flow.1 == "paid" || flow.1 == "settled" { order["paid_time"] = .string(Timestamp.format(createdAt + 1800)) }
            OrderFactory.insert(order, into: &state)
        }
    }

    private func seedSubscriptions(_ state: inout SandboxState) {
        guard let variant = state.variants[9008], let store = state.stores[3288], let customer = state.customers[70_001] else { return }
        if let course = state.variants[9007] {
            let order = OrderFactory.make(
                state: &state, store: store, customer: customer, lines: [.init(variant: course, quantity: 1)], paymentMethod: "invoice",
                shipment: nil, createdAt: anchor - 5 * 86_400, status: "completed", paymentStatus: "paid")
            OrderFactory.insert(order, into: &state)
        }
        let start = anchor - 10 * 86_400
        let id = uuid(&state)
        state.subscriptions[id] = [
            "id": .string(id), "subscription_id": .string("SUB" + state.random.string(8, alphabet: "0123456789")),
            "status": "active", "is_active": true, "is_cancel_at_period_end": false, "interval": "day", "interval_count": 30,
            "current_period_start": .string(Timestamp.format(start)), "current_period_end": .string(Timestamp.format(start + 30 * 86_400)),
            "activated_at": .string(Timestamp.format(start)), "canceled_at": .null, "expired_at": .null,
            "inserted_at": .string(Timestamp.format(start)), "updated_at": .string(Timestamp.format(start)),
            "business_id": 501, "business_customer_id": customer["id"], "customer_id": customer["id"],
            "customer": ["id": customer["id"], "name": customer["name"], "email": customer["email"]],
            "store_id": store["id"],
            "store": ["id": store["id"], "logo": .null, "name": store["name"], "unique_id": store["unique_id"], "uuid": store["uuid"]],
            "subscription_items": [
                [
                    "id": .int(state.number()), "quantity": 1, "status": "active", "unit_price": variant["price"],
                    "variant": ["id": variant["id"], "item_type": variant["item_type"], "name": variant["name"], "product_name": variant["product_name"]],
                ]
            ],
            "renewal_count": 0,
        ]
    }
}
