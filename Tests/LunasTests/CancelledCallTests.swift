import AsyncHTTPClient
import Foundation
import LuaKit
import LunasRuntime
import LunasTesting
import RateBudget
import Scalev
import ScalevModel
import Testing

/// Issue 13: cancelling a run's task ends the script and its in-flight Scalev call — the
/// server sees the connection closed — and a call waiting on its rate budget stops waiting.
/// `pcall` around the call catches none of it.
@Suite(.timeLimit(.minutes(1)), .testScope) struct CancelledCallTests {
    static let scripts = [
        "local orders = scalev.orders.list() return 'answered'",
        "local ok, err = pcall(scalev.orders.list) return 'caught', tostring(err)",
    ]

    @Test(arguments: scripts)
    func cancellingARunClosesItsInFlightRequest(script: String) async throws {
        let server = try await SilentServer.start()
        TestScope.adopt { try await server.stop() }
        let runtime = Self.runtime()
        let request = try Self.request(script, baseURL: "http://127.0.0.1:\(server.port)")
        let task = Task { await runtime.run(request) }

        let line = await Self.first(of: server.requests)
        #expect(line?.hasPrefix("GET /v3/orders") == true, "\(line ?? "no request arrived")")
        let cancelled = ContinuousClock.now
        task.cancel()
        let result = await task.value
        let ended = ContinuousClock.now - cancelled
        guard case .cancelled = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(ended < .seconds(2), "the run took \(ended) to end after the cancel")
        // the attempt's timeout is ten minutes, past the test's time limit: only the cancel can have closed it
        let closed: Void? = await Self.first(of: server.closes)
        #expect(closed != nil, "the server did not see the connection closed")
        await runtime.shutdown()
    }

    @Test(arguments: scripts)
    func cancellingARunEndsItsWaitOnTheRateBudget(script: String) async throws {
        let server = try await SilentServer.start()
        TestScope.adopt { try await server.stop() }
        let (waiting, announce) = AsyncStream.makeStream(of: BudgetWaitNotice.self)
        let (admissions, admission) = AsyncStream.makeStream(of: String.self)
        let spec = BudgetSpec(windows: [RateWindow(length: .seconds(120), limit: 1)])
        let budgets = RateBudgets(ledger: MemoryRateLedger())
        let pacer = WatchedPacer(
            BudgetPacer(budgets: budgets, business: spec) { announce.yield($0) }, admissions: admission)
        let runtime = Self.runtime()
        let request = try Self.request(script, baseURL: "http://127.0.0.1:\(server.port)", pacer: pacer)
        // the window's one request is spent before the run starts: its call waits two minutes, past the test's time limit
        let key = try #require(request.options.scalev?.grants["main"]?.client.budgetKey(for: "/v3/orders"))
        _ = try await budgets.acquire(credential: key.identity, spec: spec, script: "earlier")
        let task = Task { await runtime.run(request) }

        let notice = await Self.first(of: waiting)
        #expect(notice != nil, "the call did not wait on its budget")
        let cancelled = ContinuousClock.now
        task.cancel()
        let result = await task.value
        let ended = ContinuousClock.now - cancelled
        guard case .cancelled = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(ended < .seconds(2), "the run took \(ended) to end after the cancel")
        // the wait itself ended, by the cancel, long before the slot
        let admitted = await Self.first(of: admissions)
        #expect(admitted == "CancellationError", "\(admitted ?? "the budget wait did not end")")
        await runtime.shutdown()
    }

    static func runtime() -> Runtime {
        Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))
    }

    /// A run of `script` with one API-key credential on `baseURL`, over an HTTP client the test
    /// scope shuts down.
    static func request(_ script: String, baseURL: String, pacer: (any RequestPacer)? = nil) throws -> RunRequest {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: ScalevClient.httpConfiguration())
        TestScope.adopt { try await http.shutdown() }
        let configuration = ScalevClient.Configuration(baseURL: baseURL, requestTimeout: .seconds(600), maxAttempts: 1)
        let client = ScalevClient(configuration: configuration, credential: .apiKey("sk_test_cancel"), http: http, pacer: pacer)
        var options = ScriptOptions(limits: LuaLimits(deadline: .seconds(300)))
        options.scalev = ScalevAccess(grants: [.init(name: "main", client: client)], defaultCredential: "main")
        return RunRequest(source: .text(script, chunkName: "hang.lua"), options: options, output: RunTranscript().output)
    }

    /// The first element of `stream`; `nil` if it ends without one (a hang is the suite's time
    /// limit's to end).
    static func first<Element: Sendable>(of stream: AsyncStream<Element>) async -> Element? {
        for await element in stream { return element }
        return nil
    }
}

/// A pacer that reports how each admission ended: `admitted`, or the error's type.
struct WatchedPacer: RequestPacer {
    let pacer: BudgetPacer
    let admissions: AsyncStream<String>.Continuation

    init(_ pacer: BudgetPacer, admissions: AsyncStream<String>.Continuation) {
        self.pacer = pacer
        self.admissions = admissions
    }

    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket {
        do {
            let ticket = try await pacer.admit(key, script: script, deadline: deadline)
            admissions.yield("admitted")
            return ticket
        } catch {
            admissions.yield("\(type(of: error))")
            throw error
        }
    }

    func observe(_ key: BudgetKey, script: String, ticket: PacerTicket, status: Int?, headers: [(String, String)]) async {
        await pacer.observe(key, script: script, ticket: ticket, status: status, headers: headers)
    }
}
