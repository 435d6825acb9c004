import Foundation
import Hummingbird
import LuaKit
import LunasRuntime

/// `POST /carts/price`: prices the posted ``Cart`` with the merchant's rule and answers the
/// ``PricedCart``, or a ``PricingErrorBody`` that says what went wrong.
///
/// Each request is one ``Runtime/run(_:)``: a fresh sandboxed state (nothing one request did
/// is seen by the next), the chunk compiled once and taken from the runtime's cache after that,
/// a 50 ms deadline and a 4 MiB heap, and the `cart` module (``HostModule/cart(_:loyalty:)``).
/// The rule's handler `price` returns the discounts; the host adds them up, with every sum
/// checked.
///
/// ```swift
/// let router = Router()
/// PricingRoute(runtime: runtime, rule: rule, loyalty: LoyaltyTiers(["c-42": "gold"])).addRoutes(to: router)
/// let app = Application(router: router)
/// ```
public struct PricingRoute: Sendable {
    /// What each run gets unless the host says otherwise: 50 ms, 4 MiB.
    public static let defaultLimits = LuaLimits(memory: 4 << 20, deadline: .milliseconds(50))

    /// The runtime the rules run in (its chunk cache is what makes a fresh state cheap).
    public let runtime: Runtime
    /// The merchant's rule.
    public var rule: MerchantRule
    /// Where `cart.loyalty()` looks tiers up.
    public var loyalty: any LoyaltyProgram
    /// Each run's limits.
    public var limits: LuaLimits

    /// A route that prices with `rule` (its handler is usually `price`).
    public init(runtime: Runtime, rule: MerchantRule, loyalty: any LoyaltyProgram = LoyaltyTiers([:]),
                limits: LuaLimits = PricingRoute.defaultLimits) {
        self.runtime = runtime
        self.rule = rule
        self.loyalty = loyalty
        self.limits = limits
    }

    /// Adds `POST path` to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, path: RouterPath = "carts/price") {
        router.post(path) { request, context -> Response in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let cart: Cart
            do {
                cart = try JSONDecoder().decode(Cart.self, from: Data(body.readableBytesView))
            } catch {
                return Self.answer(PricingProblem.invalidCart("the body is not a cart: \(error)"))
            }
            let logger = context.logger
            let output = ScriptOutput { record in logger.info("\(record.text.trimmingCharacters(in: .newlines))") }
            switch await price(cart, output: output) {
            case .success(let priced): return Self.json(priced, status: .ok)
            case .failure(let problem): return Self.answer(problem)
            }
        }
    }

    /// Prices `cart`: one run of the rule, its output to `output`.
    public func price(_ cart: Cart, output: ScriptOutput) async -> Result<PricedCart, PricingProblem> {
        if let problem = cart.problem { return .failure(.invalidCart(problem)) }
        var options = ScriptOptions(limits: limits)
        options.modules = [HostModule.cart(cart, loyalty: loyalty)]
        let result = await runtime.run(RunRequest(
            source: rule.scriptSource, handler: RunHandler(rule.handler), options: options, output: output))
        guard case .ok(let values) = result.outcome else {
            return .failure(PricingProblem(result.outcome) ?? .cancelled)
        }
        do throws(PricingProblem) {
            return .success(try PricedCart(cart: cart, discounts: try Discount.list(from: values)))
        } catch {
            if case .invalidResult(let message) = error {
                return .failure(.invalidResult("\(rule.chunkName): \(rule.handler): \(message)"))
            }
            return .failure(error)
        }
    }

    /// The status of each problem: the client's (400) or the rule's (500), 503 for a limit.
    static func status(of problem: PricingProblem) -> HTTPResponse.Status {
        switch problem {
        case .invalidCart: .badRequest
        case .ruleFailed, .invalidResult, .ruleRejected: .internalServerError
        case .ruleLimit, .cancelled: .serviceUnavailable
        }
    }

    static func answer(_ problem: PricingProblem) -> Response {
        json(problem.body, status: status(of: problem))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The values are strings and integers: encoding cannot fail; were it to, a bare 500.
        guard let data = try? encoder.encode(value) else { return Response(status: .internalServerError) }
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
