import AsyncHTTPClient
import Foundation
import LunasRuntime
@testable import LunasStore
import LunasTesting
import PostgresNIO
import ScalevModel
import Synchronization
import Testing

/// Several machines: three `lunas serve` processes on one PostgreSQL store share 10,000 webhook
/// jobs, each run by one runner at a time, none lost; one runner killed with SIGKILL mid-way has
/// the jobs it held taken over by the others only once its lease lapsed — never while it lived,
/// not even a run longer than the lease (heartbeats keep it).
@Suite(.testScope, .timeLimit(.minutes(4))) struct SharedRunnersTests {
    /// Every event is a job; a `slow` one waits 7 s — longer than the 3 s lease — on a lock the
    /// test holds, without using the CPU.
    static let rule = """
        on("load.*", function(event)
          if event.data.slow then kv.lock("busy", { wait = 7 }) end
        end)
        """
    static let total = 10_000
    static let lease: TimeInterval = 3
    /// Every 500th event (20 of them) is slow.
    static func isSlow(_ n: Int) -> Bool { n % 500 == 250 }

    // Other PostgreSQL tests run only when the test command started one (Tests/support/postgres.sh,
    // LUNAS_TEST_POSTGRES_URL); without it this one is skipped the same way.
    @Test(.enabled(if: StoreBackend.postgresURL != nil, "needs PostgreSQL: LUNAS_TEST_POSTGRES_URL=$(Tests/support/postgres.sh start)"))
    func threeRunnersShareTenThousandJobsAndTakeOverAKilledRunnersJobsAfterItsLease() async throws {
        let began = Date()
        let url = try await Self.freshDatabase()
        let store = try await PostgresStore(url: url, options: StoreBackend.testOptions)
        TestScope.adopt { await store.close() }
        // held all along: a slow run's kv.lock waits out its `wait`
        _ = try #require(try await store.acquireLock("busy", in: "shared", ttl: .seconds(600), owner: "the test"))

        let secret = "shared-runners-secret"
        let environment = ["SCALEV_WEBHOOK_SECRET": secret, "LUNAS_LOG_LEVEL": "debug"]
        var runners: [ServeProcess] = []
        var hooks: [String] = []
        for _ in 0..<3 {
            // a folder each, as on three machines: the same rules, the one store
            let folder = try ServeFolder(rules: ["shared": Self.rule], lease: "\(Int(Self.lease))s", store: url)
            let runner = try ServeProcess(folder: folder.url, arguments: [], environment: environment)
            TestScope.adopt { runner.killIfRunning() }
            let port = try #require(await runner.port(), "a runner did not start: \(runner.log.joined(separator: "\n"))")
            runners.append(runner)
            hooks.append("http://127.0.0.1:\(port)/webhooks/scalev")
        }
        let logs = RunnerLogs(count: runners.count)
        for (index, runner) in runners.enumerated() {
            // SHARED_RUNNERS_LOGS=DIR keeps each runner's log in DIR/runner-N.log, to read after a failure
            let file = ProcessInfo.processInfo.environment["SHARED_RUNNERS_LOGS"].map { dir -> FileHandle? in
                FileManager.default.createFile(atPath: "\(dir)/runner-\(index).log", contents: nil)
                return FileHandle(forWritingAtPath: "\(dir)/runner-\(index).log")
            } ?? nil
            Task {
                _ = await runner.line { line in
                    file?.write(Data((line + "\n").utf8))
                    logs.read(line, from: index)
                    return false
                }
                logs.ended(index)
            }
        }

        // the events, spread over the three; one the victim no longer answers goes to another (as Scalev redelivers)
        let hookList = hooks
        let dead = DeadHooks()
        let delivery = Task { try await Self.deliverAll(to: hookList, secret: secret, skipping: dead) }

        // mid-way, while the victim holds a slow run (or, failing that, once most are done)
        let victim = 0
        await logs.wait { state in
            state.finished.count >= Self.total / 4 && state.inFlight[victim].contains { state.slowJobs.contains($0) }
                || state.finished.count >= Self.total * 3 / 5
        }
        logs.expectEnd(of: victim)
        let killedAt = Date()
        runners[victim].send(SIGKILL)
        // its address no longer answers: deliveries go elsewhere (a client retries a refused connection until its timeout)
        dead.insert(victim)
        #expect(await runners[victim].exitStatus() == SIGKILL)
        let victimWorker = "\(ProcessInfo.processInfo.hostName):\(runners[victim].pid)"

        // what it held: its jobs still running under its lease, which nobody renews now
        let held = Dictionary(uniqueKeysWithValues: try await store.jobs(JobQuery(states: [.running], limit: 10_000))
            .filter { $0.worker == victimWorker }.map { ($0.id, $0) })
        let finishedByVictim = Set(try await Self.allRuns(store).filter { $0.worker == victimWorker }.compactMap(\.jobID))
        let atKill = logs.state
        let inFlightAtKill = atKill.inFlight[victim]

        let answered = try await delivery.value
        #expect(answered == Self.total, "every event is answered 200 by a runner")
        logs.counted(finishedByVictim)
        await logs.wait { $0.done.count >= Self.total }
        let allDone = Date()
        for index in runners.indices where index != victim {
            logs.expectEnd(of: index)
            runners[index].send(SIGTERM)
            #expect(await runners[index].exitStatus() == 0, "\(runners[index].log.suffix(10).joined(separator: "\n"))")
        }

        let state = logs.state
        #expect(state.unexpectedEnd == nil, "a runner ended by itself: \(state.unexpectedEnd ?? -1)")
        #expect(state.problems.isEmpty, "\(state.problems.prefix(20).joined(separator: "\n"))")

        // none lost: every event's job done, with exactly one recorded run, ok
        let jobs = try await Self.allJobs(store)
        #expect(jobs.count == Self.total)
        #expect(jobs.allSatisfy { $0.state == .done }, "\(jobs.filter { $0.state != .done }.prefix(5))")
        let runs = try await Self.allRuns(store)
        let runsByJob = Dictionary(grouping: runs, by: { $0.jobID ?? -1 })
        #expect(runsByJob.count == Self.total && runs.count == Self.total, "\(runs.count) runs of \(runsByJob.count) jobs")
        #expect(runs.allSatisfy { $0.outcome == "ok" })
        let workers = Set(runs.map(\.worker))
        #expect(workers.count == 3, "every runner ran jobs: \(workers)")

        // one runner at a time: a job started twice only if the victim held it when it died, and
        // its second run began after the victim's lease lapsed (so after the victim's run ended)
        #expect(!held.isEmpty, "the victim held no job when it was killed: nothing was taken over")
        var takeoverDelays: [TimeInterval] = []
        for (job, starts) in state.started {
            if starts.count == 1 { continue }
            #expect(starts.count == 2 && starts[0].runner == victim && starts[1].runner != victim && held[job] != nil,
                    "job \(job) started \(starts.count) times: \(starts)")
        }
        for (job, row) in held {
            let run = try #require(runsByJob[job]?.first, "job \(job), held by the victim, has no run")
            let lapsed = try #require(row.leaseExpiresAt)
            #expect(run.worker != victimWorker)
            #expect(run.startedAt > killedAt, "job \(job) was taken over while its runner lived")
            #expect(run.startedAt.timeIntervalSince(lapsed) > -0.005,
                    "job \(job) started at \(run.startedAt), before the victim's lease lapsed at \(lapsed)")
            #expect(run.attempt == row.attempts + 1, "job \(job): the victim's attempt was \(row.attempts), the recorded one \(run.attempt)")
            takeoverDelays.append(run.startedAt.timeIntervalSince(killedAt))
        }
        // runs longer than the lease elsewhere were not taken from a live runner: their heartbeats kept them
        let slowRuns = runs.filter { $0.trigger.hasPrefix("webhook:slow-") }
        #expect(slowRuns.count == (0..<Self.total).filter(Self.isSlow).count)
        for run in slowRuns where held[run.jobID ?? -1] == nil {
            #expect(run.endedAt.timeIntervalSince(run.startedAt) > Self.lease, "a slow run took \(run.endedAt.timeIntervalSince(run.startedAt)) s")
            #expect(state.started[run.jobID ?? -1]?.count == 1, "slow job \(run.jobID ?? -1) started again while its runner lived")
        }

        let slowHeld = held.values.filter { $0.trigger.hasPrefix("webhook:slow-") }.count
        let byTaker = Dictionary(grouping: held.keys, by: { runsByJob[$0]?.first?.worker ?? "?" }).mapValues(\.count)
        print("""
            shared runners: \(Self.total) jobs, \(runs.count) runs (\(Dictionary(grouping: runs, by: \.worker).mapValues(\.count))) in \
            \(String(format: "%.1f", allDone.timeIntervalSince(began))) s; killed \(victimWorker) after \
            \(atKill.finished.count) logged finishes (\(String(format: "%.1f", killedAt.timeIntervalSince(began))) s in) holding \(held.count) jobs (\(slowHeld) slow; \(inFlightAtKill.count) started and not \
            logged finished, \(finishedByVictim.count) finished by it); taken over by \(byTaker) \
            \(String(format: "%.2f", takeoverDelays.min() ?? 0))-\(String(format: "%.2f", takeoverDelays.max() ?? 0)) s after the kill \
            (lease \(Int(Self.lease)) s)
            """)
    }

    /// A database of this test's own on the test run's PostgreSQL server, dropped when the test ends.
    static func freshDatabase() async throws -> String {
        let url = try #require(StoreBackend.postgresURL)
        let database = "lunas_shared_\(UUID().uuidString.prefix(8).lowercased())"
        let server = try await PostgresStore(url: url, options: StoreBackend.testOptions)
        _ = try await server.rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
        TestScope.adopt {
            _ = try? await server.rows(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
            await server.close()
        }
        var components = try #require(URLComponents(string: url))
        components.path = "/" + database
        return try #require(components.string)
    }

    /// Delivers every event, signed, to `hooks` (event n to runner n % 3 first, the next one when
    /// that one does not answer 200); how many were answered 200.
    static func deliverAll(to hooks: [String], secret: String, skipping dead: DeadHooks) async throws -> Int {
        let senders = 10 * hooks.count
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var answered = 0
                    for n in stride(from: sender, to: total, by: senders) {
                        let id = isSlow(n) ? "slow-\(n)" : "ev-\(n)"
                        let body = Array(#"{"event":"load.test","unique_id":"\#(id)","timestamp":"2026-12-02T00:00:00Z","data":{"n":\#(n),"slow":\#(isSlow(n))}}"#.utf8)
                        let signature = WebhookSignature.signature(body: body, secret: secret)
                        for attempt in 0..<(2 * hooks.count) {
                            let hook = (n + attempt) % hooks.count
                            if dead.contains(hook) { continue }
                            var request = HTTPClientRequest(url: hooks[hook])
                            request.method = .POST
                            request.headers.add(name: "X-Scalev-Hmac-Sha256", value: signature)
                            request.body = .bytes(body)
                            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)) else { continue }
                            _ = try? await response.body.collect(upTo: 1 << 16)
                            if response.status.code == 200 {
                                answered += 1
                                break
                            }
                        }
                    }
                    return answered
                }
            }
            return try await group.reduce(0, +)
        }
    }

    static func allJobs(_ store: PostgresStore) async throws -> [JobRow] {
        try await store.jobs(JobQuery(limit: 10_000))
    }

    /// Every recorded run, a page at a time.
    static func allRuns(_ store: PostgresStore) async throws -> [RunRow] {
        var runs: [RunRow] = []
        while true {
            let page = try await store.runs(RunQuery(limit: 10_000, before: runs.last?.id))
            runs += page
            if page.count < 10_000 { return runs }
        }
    }
}

/// The three runners' logs as they arrive: which runner started and finished each job, and
/// waits for what they say.
final class RunnerLogs: Sendable {
    struct Start: Sendable, CustomStringConvertible {
        var runner: Int
        var attempt: Int
        var description: String { "runner \(runner) attempt \(attempt)" }
    }

    struct State: Sendable {
        /// Each job's "run started" lines, in order.
        var started: [Int64: [Start]] = [:]
        /// Jobs with a "run finished" line.
        var finished: Set<Int64> = []
        /// Jobs finished: with a line, or known from the store (the victim's, read after its death: a
        /// finish may commit just before the kill and its line never be written).
        var done: Set<Int64> = []
        /// Per runner, the jobs started and not finished.
        var inFlight: [Set<Int64>]
        /// The jobs of slow events.
        var slowJobs: Set<Int64> = []
        /// Warnings and errors about leases, and runs that did not end ok.
        var problems: [String] = []
        var expectedEnds: Set<Int> = []
        var unexpectedEnd: Int?
    }

    private struct Box {
        var state: State
        var waiters: [(ready: @Sendable (State) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
        var cancelled = false
    }

    private let box: Mutex<Box>

    init(count: Int) { box = Mutex(Box(state: State(inFlight: Array(repeating: [], count: count)))) }

    var state: State { box.withLock { $0.state } }

    /// Takes in one line of runner `index`'s log.
    func read(_ line: String, from index: Int) {
        guard line.contains("run ") || line.contains("lease"), let fields = ServeProcess.fields(line) else { return }
        update { state in
            let message = fields["message"] ?? ""
            if message.contains("lease") && fields["level"] != "debug" && fields["level"] != "info" {
                state.problems.append("runner \(index): \(line)")
            }
            guard let job = fields["job"].flatMap(Int64.init) else { return }
            switch message {
            case "run started":
                state.started[job, default: []].append(Start(runner: index, attempt: fields["attempt"].flatMap(Int.init) ?? 0))
                state.inFlight[index].insert(job)
                if fields["trigger"]?.hasPrefix("webhook:slow-") == true { state.slowJobs.insert(job) }
            case "run finished":
                state.finished.insert(job)
                state.done.insert(job)
                state.inFlight[index].remove(job)
                if fields["outcome"] != "ok" { state.problems.append("runner \(index): \(line)") }
            default: break
            }
        }
    }

    /// Runner `index`'s log ended.
    func ended(_ index: Int) {
        update { state in
            if !state.expectedEnds.contains(index) && state.unexpectedEnd == nil { state.unexpectedEnd = index }
        }
    }

    /// Runner `index` is about to be stopped: its log ending is no surprise.
    func expectEnd(of index: Int) { update { $0.expectedEnds.insert(index) } }

    /// Jobs finished whose lines may be missing.
    func counted(_ jobs: Set<Int64>) { update { $0.done.formUnion(jobs) } }

    /// Returns once `ready` holds, or a runner ended unexpectedly, or the test was cancelled (its time limit).
    func wait(until ready: @escaping @Sendable (State) -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = box.withLock { box in
                    if ready(box.state) || box.state.unexpectedEnd != nil || box.cancelled { return true }
                    box.waiters.append((ready, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiters = box.withLock { box in
                box.cancelled = true
                defer { box.waiters = [] }
                return box.waiters
            }
            for waiter in waiters { waiter.continuation.resume() }
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let woken = box.withLock { box in
            change(&box.state)
            let state = box.state
            var woken: [CheckedContinuation<Void, Never>] = []
            box.waiters.removeAll { waiter in
                guard waiter.ready(state) || state.unexpectedEnd != nil else { return false }
                woken.append(waiter.continuation)
                return true
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }
}

/// The runners that no longer answer (killed), by index.
final class DeadHooks: Sendable {
    private let dead = Mutex<Set<Int>>([])
    func insert(_ index: Int) { dead.withLock { _ = $0.insert(index) } }
    func contains(_ index: Int) -> Bool { dead.withLock { $0.contains(index) } }
}
