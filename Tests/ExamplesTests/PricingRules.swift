import LunasExamples

/// The merchants' rules the examples' tests run.
enum PricingRules {
    /// Three discount rules: 10 % off a line of 3 or more, 15,000 off the tea set (the green tea
    /// and the clay cup together), and 5 % off what is left for gold members.
    static let threeDiscounts = MerchantRule(source: """
        local BULK_QUANTITY, BULK_PERCENT = 3, 10
        local SET, SET_OFF = { "TEA-GREEN", "CUP-CLAY" }, 15000
        local GOLD_PERCENT = 5

        function price()
          local discounts, subtotal, skus = {}, 0, {}
          for _, item in ipairs(cart.items()) do
            local amount = item.quantity * item.unit_price
            subtotal = subtotal + amount
            skus[item.sku] = true
            if item.quantity >= BULK_QUANTITY then
              discounts[#discounts + 1] = { rule = "bulk " .. item.sku, amount = amount * BULK_PERCENT // 100 }
            end
          end
          if skus[SET[1]] and skus[SET[2]] then
            discounts[#discounts + 1] = { rule = "tea set", amount = SET_OFF }
          end
          if cart.loyalty() == "gold" then
            local left = subtotal
            for _, discount in ipairs(discounts) do left = left - discount.amount end
            discounts[#discounts + 1] = { rule = "gold member", amount = left * GOLD_PERCENT // 100 }
          end
          return discounts
        end
        """, chunkName: "pricing.lua", handler: "price")

    /// A rule that calls a function the `cart` module does not have, on line 3.
    static let broken = MerchantRule(source: """
        function price()
          local discounts = {}
          local rate = cart.rate(cart.currency)
          return discounts
        end
        """, chunkName: "broken.lua", handler: "price")

    /// A rule that never ends for the customer `spinner` (line 3), and gives nothing off otherwise.
    static let spinning = MerchantRule(source: """
        function price()
          if cart.customer == "spinner" then
            while true do end
          end
          return {}
        end
        """, chunkName: "spin.lua", handler: "price")
}
