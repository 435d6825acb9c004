import LuaKit

/// A cart as the storefront posts it: prices in integer minor units (rupiah, cents), so no
/// amount is ever a float.
public struct Cart: Codable, Sendable, Equatable {
    /// The currency of every price, `IDR`.
    public var currency: String
    /// The customer, when known (the loyalty lookup takes it).
    public var customer: String?
    /// The lines, in the order the customer added them.
    public var items: [CartItem]

    /// A cart.
    public init(currency: String, customer: String? = nil, items: [CartItem]) {
        self.currency = currency
        self.customer = customer
        self.items = items
    }

    /// Why the cart cannot be priced, or `nil`: no items, a quantity below 1, a negative price,
    /// or a line whose amount does not fit in 64 bits.
    public var problem: String? {
        if currency.isEmpty { return "the cart has no currency" }
        if items.isEmpty { return "the cart has no items" }
        for item in items {
            if item.quantity < 1 { return "\(item.sku): quantity must be at least 1" }
            if item.unitPrice < 0 { return "\(item.sku): unit_price must not be negative" }
            if item.amount == nil { return "\(item.sku): quantity × unit_price does not fit in 64 bits" }
        }
        return nil
    }
}

/// One line of a ``Cart``.
public struct CartItem: Codable, Sendable, Equatable {
    /// The product variant's SKU.
    public var sku: String
    /// How many.
    public var quantity: Int64
    /// The price of one, in minor units.
    public var unitPrice: Int64

    /// A line.
    public init(sku: String, quantity: Int64, unitPrice: Int64) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
    }

    /// `quantity × unitPrice`, or `nil` when it overflows.
    public var amount: Int64? {
        let (product, overflow) = quantity.multipliedReportingOverflow(by: unitPrice)
        return overflow ? nil : product
    }

    /// The line as a rule reads it: `{ sku = ..., quantity = ..., unit_price = ... }`.
    public var luaValue: LuaValue {
        .table(LuaTable(fields: ["sku": .string(LuaString(sku)), "quantity": .integer(quantity), "unit_price": .integer(unitPrice)]))
    }

    enum CodingKeys: String, CodingKey {
        case sku, quantity
        case unitPrice = "unit_price"
    }
}
