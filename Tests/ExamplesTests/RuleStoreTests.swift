import LuaKit
import LunasExamples
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// A host testing a rule that keeps state in `kv`: the rule worker over a fresh store from
/// LunasTesting's fixture, the rule's namespace the fixture's own.
@Suite(.testScope) struct RuleStoreTests {
    /// Counts each customer's paid orders in `kv` and tags the third one `loyal`.
    static let counting = MerchantRule(source: """
        function handle(order)
          local key = "orders:" .. order.customer
          local count = (kv.get(key) or 0) + 1
          kv.set(key, count)
          return count >= 3 and "loyal" or "new"
        end
        """, chunkName: "loyal.lua", handler: "handle")

    struct OrderPaid: Encodable, Sendable {
        var customer: String
    }

    @Test(arguments: StoreBackend.available)
    func aRuleKeepsItsCountsInItsNamespace(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.open(backend)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: PricingRouteTests.stdlib, scriptsFolder: nil),
                              store: fixture.store)
        var options = ScriptOptions(limits: LuaLimits(memory: 8 << 20, deadline: .seconds(5)))
        options.namespace = fixture.namespace
        let worker = RuleWorker(runtime: runtime, rule: Self.counting, options: options)
        let (queue, feed) = AsyncStream.makeStream(of: OrderPaid.self)
        for customer in ["c-1", "c-2", "c-1", "c-1"] { feed.yield(OrderPaid(customer: customer)) }
        feed.finish()
        var tags: [String] = []
        await worker.run(queue) { report in
            guard case .ok(let values) = report.result.outcome else { Issue.record("\(report.result.outcome)"); return }
            tags.append(values.first?.stringValue ?? "?")
        }
        #expect(tags == ["new", "new", "new", "loyal"])
        #expect(try await fixture.store.get("orders:c-1", in: fixture.namespace)?.value == "3")
        #expect(try await fixture.store.get("orders:c-2", in: fixture.namespace)?.value == "1")
        await runtime.shutdown()
    }
}
