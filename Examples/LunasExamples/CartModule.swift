import LuaKit
import LunasRuntime

extension HostModule {
    /// The `cart` module of one pricing run: what the rule reads of the cart being priced.
    ///
    /// - `cart.currency`, `cart.customer` (or `nil`): constants;
    /// - `cart.items()`: a fresh list of `{ sku = ..., quantity = ..., unit_price = ... }`;
    /// - `cart.loyalty()`: the customer's tier from `loyalty` (async: the rule waits, the
    ///   thread does not), or `nil`.
    public static func cart(_ cart: Cart, loyalty: any LoyaltyProgram) -> HostModule {
        let items = LuaValue.table(LuaTable(array: cart.items.map(\.luaValue)))
        let customer = cart.customer
        return HostModule("cart")
            .constant("currency", .string(LuaString(cart.currency)))
            .constant("customer", customer.map { .string(LuaString($0)) } ?? .nil)
            .function("items") { _ in [items] }
            .asyncFunction("loyalty") { _ in
                guard let customer, let tier = try await loyalty.tier(of: customer) else { return [.nil] }
                return [.string(LuaString(tier))]
            }
    }
}
