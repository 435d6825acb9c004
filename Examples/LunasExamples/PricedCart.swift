import LuaKit

/// A cart with the discounts its merchant's rule gave, as the pricing route answers it.
public struct PricedCart: Codable, Sendable, Equatable {
    /// The currency of every amount.
    public var currency: String
    /// The lines with their amounts (`quantity × unit_price`).
    public var lines: [PricedLine]
    /// The sum of the lines' amounts.
    public var subtotal: Int64
    /// What the rule took off, in the order it listed them.
    public var discounts: [Discount]
    /// The sum of the discounts.
    public var discountTotal: Int64
    /// `subtotal - discountTotal`, never below 0.
    public var total: Int64

    /// A priced cart.
    public init(currency: String, lines: [PricedLine], subtotal: Int64, discounts: [Discount], discountTotal: Int64, total: Int64) {
        self.currency = currency
        self.lines = lines
        self.subtotal = subtotal
        self.discounts = discounts
        self.discountTotal = discountTotal
        self.total = total
    }

    /// Prices `cart` with the `discounts` a rule returned; throws a ``PricingProblem`` when they
    /// cannot stand (a negative amount, more off than the cart is worth). Every sum is checked.
    public init(cart: Cart, discounts: [Discount]) throws(PricingProblem) {
        var lines: [PricedLine] = []
        var subtotal: Int64 = 0
        for item in cart.items {
            guard let amount = item.amount else { throw .invalidCart("\(item.sku): quantity × unit_price does not fit in 64 bits") }
            subtotal = try Self.sum(subtotal, amount, "the cart's subtotal does not fit in 64 bits")
            lines.append(PricedLine(sku: item.sku, quantity: item.quantity, unitPrice: item.unitPrice, amount: amount))
        }
        var taken: Int64 = 0
        for discount in discounts {
            guard discount.amount >= 0 else { throw .invalidResult("the discount '\(discount.rule)' is negative (\(discount.amount))") }
            taken = try Self.sum(taken, discount.amount, "the discounts' sum does not fit in 64 bits")
        }
        guard taken <= subtotal else {
            throw .invalidResult("the discounts (\(taken)) are more than the subtotal (\(subtotal))")
        }
        self.init(currency: cart.currency, lines: lines, subtotal: subtotal, discounts: discounts, discountTotal: taken,
                  total: subtotal - taken)
    }

    private static func sum(_ a: Int64, _ b: Int64, _ problem: String) throws(PricingProblem) -> Int64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        if overflow { throw .invalidResult(problem) }
        return result
    }

    enum CodingKeys: String, CodingKey {
        case currency, lines, subtotal, discounts, total
        case discountTotal = "discount_total"
    }
}

/// One line of a ``PricedCart``.
public struct PricedLine: Codable, Sendable, Equatable {
    /// The SKU.
    public var sku: String
    /// How many.
    public var quantity: Int64
    /// The price of one.
    public var unitPrice: Int64
    /// `quantity × unitPrice`.
    public var amount: Int64

    /// A line.
    public init(sku: String, quantity: Int64, unitPrice: Int64, amount: Int64) {
        self.sku = sku
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case sku, quantity, amount
        case unitPrice = "unit_price"
    }
}

/// One discount a pricing rule gives: `{ rule = "bulk tea", amount = 4500 }` in Lua.
public struct Discount: Codable, Sendable, Equatable {
    /// The name the merchant gave it, shown to the customer.
    public var rule: String
    /// How much it takes off, in minor units.
    public var amount: Int64

    /// A discount.
    public init(rule: String, amount: Int64) {
        self.rule = rule
        self.amount = amount
    }

    /// The discounts in a rule's results: a list of `{ rule = ..., amount = ... }`, or nothing
    /// for none.
    public static func list(from results: [LuaValue]) throws(PricingProblem) -> [Discount] {
        guard let first = results.first, first != .nil, first != .null else { return [] }
        guard case .table(let table) = first, table.fields.isEmpty else {
            throw .invalidResult("the rule must return a list of { rule = ..., amount = ... }, not \(first.typeName)")
        }
        do {
            return try LuaValue.table(LuaTable(array: table.array)).decode([Discount].self)
        } catch let error as DecodingError {
            throw .invalidResult("its result: \(error.shortDescription)")
        } catch {
            throw .invalidResult("its result: \(error)")
        }
    }
}

extension DecodingError {
    /// `discount 2's amount: expected an integer, found string "ten"`.
    var shortDescription: String {
        let context: Context? = switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context): context
        @unknown default: nil
        }
        guard let context else { return "\(self)" }
        let path = context.codingPath.map { $0.intValue.map { "[\($0 + 1)]" } ?? ".\($0.stringValue)" }.joined()
        if case .keyNotFound(let key, _) = self { return "\(path.isEmpty ? "" : "discount\(path): ")missing '\(key.stringValue)'" }
        return "discount\(path): \(context.debugDescription)"
    }
}
