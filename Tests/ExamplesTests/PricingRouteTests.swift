import Foundation
import Hummingbird
import HummingbirdTesting
import LuaKit
import LunasExamples
import LunasRuntime
import Testing

/// The pricing route over real loopback HTTP: a live server on port 0, its test client.
@Suite struct PricingRouteTests {
    static let stdlib = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../stdlib").standardizedFileURL.path

    /// Serves `rule` on `POST /carts/price` for `test`.
    func serving<Value: Sendable>(_ rule: MerchantRule, _ test: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib, scriptsFolder: nil))
        let router = Router()
        PricingRoute(runtime: runtime, rule: rule, loyalty: LoyaltyTiers(["c-42": "gold"])).addRoutes(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let value = try await app.test(.live, test)
        await runtime.shutdown()
        return value
    }

    static func post(_ cart: Cart, to client: any TestClientProtocol) async throws -> TestResponse {
        let body = try JSONEncoder().encode(cart)
        return try await client.execute(uri: "/carts/price", method: .post, headers: [.contentType: "application/json"],
                                        body: ByteBuffer(bytes: body))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ response: TestResponse) throws -> Value {
        try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
    }

    static let teaSet = Cart(currency: "IDR", customer: "c-42", items: [
        CartItem(sku: "TEA-GREEN", quantity: 4, unitPrice: 45_000),
        CartItem(sku: "CUP-CLAY", quantity: 1, unitPrice: 60_000),
        CartItem(sku: "HONEY-250", quantity: 2, unitPrice: 38_500),
    ])

    @Test func aCartGetsItsThreeDiscountsToTheRupiah() async throws {
        try await serving(PricingRules.threeDiscounts) { client in
            let response = try await Self.post(Self.teaSet, to: client)
            #expect(response.status == .ok)
            let priced = try Self.decode(PricedCart.self, response)
            #expect(priced.lines.map(\.amount) == [180_000, 60_000, 77_000])
            #expect(priced.subtotal == 317_000)
            #expect(priced.discounts == [
                Discount(rule: "bulk TEA-GREEN", amount: 18_000),
                Discount(rule: "tea set", amount: 15_000),
                Discount(rule: "gold member", amount: 14_200),  // 5 % of 317,000 - 33,000
            ])
            #expect(priced.discountTotal == 47_200)
            #expect(priced.total == 269_800)
            #expect(priced.currency == "IDR")

            // no set, no tier: the bulk discount alone
            let honey = Cart(currency: "IDR", customer: "c-7", items: [CartItem(sku: "HONEY-250", quantity: 3, unitPrice: 38_500)])
            let plain = try Self.decode(PricedCart.self, try await Self.post(honey, to: client))
            #expect(plain.discounts == [Discount(rule: "bulk HONEY-250", amount: 11_550)])
            #expect(plain.total == 103_950)
        }
    }

    @Test func aFailingRuleAnswersItsErrorWithFileAndLine() async throws {
        try await serving(PricingRules.broken) { client in
            let response = try await Self.post(Self.teaSet, to: client)
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/json")
            let error = try Self.decode(PricingErrorBody.self, response)
            #expect(error.error == "rule_failed")
            #expect(error.location == "broken.lua:3")
            #expect(error.message.hasPrefix("broken.lua:3: attempt to call a nil value (field 'rate')"), "\(error.message)")
            // the service is still up: the same answer again, not a dead server
            #expect(try await Self.post(Self.teaSet, to: client).status == .internalServerError)
        }
    }

    @Test func aRunawayRuleAnswersTheDeadlineWithinTheRequestAndTheNextRequestIsPriced() async throws {
        try await serving(PricingRules.spinning) { client in
            var spinner = Self.teaSet
            spinner.customer = "spinner"
            let started = ContinuousClock.now
            let response = try await Self.post(spinner, to: client)
            let elapsed = ContinuousClock.now - started
            #expect(response.status == .serviceUnavailable)
            let error = try Self.decode(PricingErrorBody.self, response)
            #expect(error.error == "rule_limit")
            #expect(error.limit == "deadline")
            #expect(error.location == "spin.lua:3")
            #expect(error.message == "spin.lua:3: deadline of 50 ms exceeded", "\(error.message)")
            #expect(elapsed < .seconds(2), "the 50 ms deadline ended the run within the request (\(elapsed))")

            let next = try await Self.post(Self.teaSet, to: client)
            #expect(next.status == .ok)
            #expect(try Self.decode(PricedCart.self, next).total == 317_000)
        }
    }

    @Test func aCartThatCannotBePricedIsTheClientsError() async throws {
        try await serving(PricingRules.threeDiscounts) { client in
            let empty = try await Self.post(Cart(currency: "IDR", items: []), to: client)
            #expect(empty.status == .badRequest)
            #expect(try Self.decode(PricingErrorBody.self, empty).error == "invalid_cart")
            let garbage = try await client.execute(uri: "/carts/price", method: .post, body: ByteBuffer(string: "{\"items\": 3}"))
            #expect(garbage.status == .badRequest)
        }
    }

    @Test func discountsThatCannotStandAreTheRulesError() async throws {
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib, scriptsFolder: nil))
        func priced(returning discounts: String) async -> Result<PricedCart, PricingProblem> {
            let rule = MerchantRule(source: "function price() return \(discounts) end", chunkName: "greedy.lua", handler: "price")
            return await PricingRoute(runtime: runtime, rule: rule).price(Self.teaSet, output: ScriptOutput { _ in })
        }
        let messages = [
            "{ { rule = 'all of it', amount = 400000 } }", "{ { rule = 'back', amount = -1 } }",
            "{ { rule = 'half', amount = 0.5 } }", "'ten percent'", "{ { amount = 10 } }",
        ]
        var answers: [String] = []
        for discounts in messages {
            guard case .failure(.invalidResult(let message)) = await priced(returning: discounts) else {
                Issue.record("\(discounts) was priced")
                continue
            }
            answers.append(message)
        }
        #expect(answers.count == messages.count)
        #expect(answers.allSatisfy { $0.hasPrefix("greedy.lua: price: ") }, "\(answers)")
        #expect(answers.first?.contains("more than the subtotal (317000)") == true, "\(answers)")
        guard case .success(let none) = await priced(returning: "nil") else { Issue.record("nil is no discount"); return }
        #expect(none.total == 317_000)
        await runtime.shutdown()
    }

    /// A loyalty service that never answers (until its call is cancelled).
    struct SilentLoyalty: LoyaltyProgram {
        func tier(of customer: String) async throws -> String? {
            let (never, _) = AsyncStream.makeStream(of: String.self)
            for await tier in never { return tier }
            return nil
        }
    }

    @Test func theDeadlineEndsARuleWaitingOnTheHostsService() async throws {
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: Self.stdlib, scriptsFolder: nil))
        let route = PricingRoute(runtime: runtime, rule: PricingRules.threeDiscounts, loyalty: SilentLoyalty())
        let started = ContinuousClock.now
        let result = await route.price(Self.teaSet, output: ScriptOutput { _ in })
        guard case .failure(.ruleLimit(.deadline, let error)) = result else { Issue.record("\(result)"); return }
        #expect(error.location == "pricing.lua:18", "\(error.location ?? "no location")")
        #expect(ContinuousClock.now - started < .seconds(2))
        await runtime.shutdown()
    }
}
