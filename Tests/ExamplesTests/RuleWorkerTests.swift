import Foundation
import LuaKit
import LunasExamples
import LunasRuntime
import Testing

/// The rule worker over a queue the test feeds: outcomes in order, failures and runaways that
/// end only their own run, cancellation that ends the worker.
@Suite struct RuleWorkerTests {
    struct OrderPaid: Encodable, Sendable {
        var id: String
        var total: Int?
        var spin = false
    }

    /// Tags a paid order `vip` from 1,000,000 up; line 4 compares `total`, which a malformed
    /// event lacks; an event with `spin` never ends.
    static let tagging = MerchantRule(source: """
        function handle(order)
          print("order " .. order.id)
          while order.spin do end
          if order.total >= 1000000 then return "vip" end
          return "regular"
        end
        """, chunkName: "tagging.lua", handler: "handle")

    let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: PricingRouteTests.stdlib, scriptsFolder: nil))

    @Test func everyMessageIsReportedInOrderAndAFailureOrARunawayDoesNotStopTheWorker() async throws {
        let orders = [
            OrderPaid(id: "o-1", total: 250_000), OrderPaid(id: "o-2", total: 1_200_000), OrderPaid(id: "o-3", total: nil),
            OrderPaid(id: "o-4", total: 990_000), OrderPaid(id: "o-5", total: 10, spin: true), OrderPaid(id: "o-6", total: 5_000_000),
        ]
        let (queue, feed) = AsyncStream.makeStream(of: OrderPaid.self)
        for order in orders { feed.yield(order) }
        feed.finish()
        var options = ScriptOptions(limits: LuaLimits(memory: 8 << 20, deadline: .milliseconds(50)))
        options.maxPrintBytes = 1 << 10
        let worker = RuleWorker(runtime: runtime, rule: Self.tagging, options: options)
        var reports: [RuleReport<OrderPaid>] = []
        let taken = await worker.run(queue) { reports.append($0) }

        #expect(taken == 6)
        #expect(reports.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        #expect(reports.map(\.message.id) == orders.map(\.id))
        let outcomes = reports.map { report -> String in
            switch report.result.outcome {
            case .ok(let values): values.first?.stringValue ?? "?"
            case .failed(let error): error.message
            case .limit(let limit, let error): "\(error.location ?? "?"): \(limit.message)"
            case .cancelled: "cancelled"
            case .rejected(let reason): reason
            }
        }
        #expect(outcomes[0] == "regular")
        #expect(outcomes[1] == "vip")
        #expect(outcomes[2].hasPrefix("tagging.lua:4: attempt to compare number with nil"), "\(outcomes[2])")
        #expect(outcomes[3] == "regular")
        #expect(outcomes[4] == "tagging.lua:3: deadline of 50 ms exceeded")
        #expect(outcomes[5] == "vip")
        await runtime.shutdown()
    }

    @Test func cancellingTheWorkersTaskEndsItIdleOrMidRun() async throws {
        let (queue, feed) = AsyncStream.makeStream(of: OrderPaid.self)
        let (printed, signal) = AsyncStream.makeStream(of: String.self)
        let (reported, reports) = AsyncStream.makeStream(of: RuleReport<OrderPaid>.self)
        var options = ScriptOptions(limits: LuaLimits(memory: 8 << 20, deadline: .seconds(600)))
        options.maxPrintBytes = 1 << 10
        let worker = RuleWorker(runtime: runtime, rule: Self.tagging, options: options,
                                output: ScriptOutput { record in signal.yield(record.text) })

        // idle: waiting for a message that never comes, the queue never finished
        let idle = Task { await worker.run(queue) { reports.yield($0) } }
        feed.yield(OrderPaid(id: "o-1", total: 10))
        var reportsIterator = reported.makeAsyncIterator()
        let first = await reportsIterator.next()
        #expect(first?.sequence == 1)
        idle.cancel()
        #expect(await idle.value == 1)

        // mid-run: a rule spinning under a 10-minute deadline
        let (spinQueue, spinFeed) = AsyncStream.makeStream(of: OrderPaid.self)
        let busy = Task { await worker.run(spinQueue) { reports.yield($0) } }
        spinFeed.yield(OrderPaid(id: "o-2", total: 10, spin: true))
        spinFeed.yield(OrderPaid(id: "o-3", total: 10))
        var printedIterator = printed.makeAsyncIterator()
        #expect(await printedIterator.next() == "order o-1\n")
        #expect(await printedIterator.next() == "order o-2\n")
        busy.cancel()
        #expect(await busy.value == 1, "the spinning run ended and the worker took no further message")
        let last = await reportsIterator.next()
        #expect(last?.message.id == "o-2")
        guard case .cancelled? = last?.result.outcome else { Issue.record("\(String(describing: last?.result.outcome))"); return }
        await runtime.shutdown()
    }
}
