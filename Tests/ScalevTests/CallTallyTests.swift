import LunasTesting
import Scalev
import ScalevModel
import Testing

/// A pacer that admits nothing.
private struct RefusingPacer: RequestPacer {
    struct Refusal: Error {}

    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket { throw Refusal() }
    func observe(_ key: BudgetKey, script: String, ticket: PacerTicket, status: Int?, headers: [(String, String)]) async {}
}

@Suite("The cap on API calls", .testScope)
struct CallTallyTests {
    @Test("every attempt counts, retries included; a dry run's writes do not; the attempt past the cap is not sent")
    func counts() async throws {
        let sandbox = try await TestSandbox.start()
        let pacer = RecordingPacer()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: pacer)
        let tally = CallTally(limit: 3)
        var context = sandbox.context()
        context.calls = tally
        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 1])
        #expect(try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: context).status == 200)
        #expect(tally.count == 2 && pacer.statuses == [503, 200])

        var dry = sandbox.context(dryRun: true)
        dry.calls = tally
        let skipped = try await client.send(ScalevRequest(method: "POST", path: "/v3/orders/o/update-tags", body: ["tags": ["vip"]]), context: dry)
        #expect(skipped.dryRun && tally.count == 2)

        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 1])
        await #expect(throws: CallLimitExceeded(limit: 3)) {
            _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: context)
        }
        #expect(tally.count == 3)
        #expect(pacer.admits.count == 3, "the attempt past the cap took no budget slot")
        #expect(CallLimitExceeded(limit: 3).description == "API call limit of 3 exceeded")
        try await sandbox.stop()
    }

    @Test("an attempt the rate budget refused was never sent and is not counted")
    func refusedNotCounted() async throws {
        let sandbox = try await TestSandbox.start()
        let client = sandbox.client(.apiKey(sandbox.credentials.businessKey), pacer: RefusingPacer())
        let tally = CallTally()
        var context = sandbox.context()
        context.calls = tally
        let error = await sandbox.expectError { _ = try await client.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: context) }
        #expect(error?.code == "rate_budget")
        #expect(tally.count == 0 && tally.limit == nil)
        try await sandbox.stop()
    }
}
