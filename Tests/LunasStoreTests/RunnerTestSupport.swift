import Foundation
import LunasClock
import LunasStore
import LunasTesting

/// A test clock at a whole second, so every time it gives is a whole number of milliseconds and
/// survives the store's round trip unchanged.
func runnerClock() -> TestClock { TestClock(start: Date(timeIntervalSince1970: 1_800_000_000)) }

/// The test options on `clock`.
func runnerOptions(_ clock: TestClock) -> StoreOptions {
    StoreOptions(purgeInterval: nil, connectTimeout: .seconds(30), clock: clock)
}

/// A job of `f`'s own queue and script.
func job(_ f: StoreFixture, _ handler: String = "on:order.*", payload: String = "{}", runAt: Date? = nil,
         key: String? = nil, trigger: String = "webhook:1", maxAttempts: Int = 5) -> JobRequest {
    JobRequest(queue: f.namespace, payload: payload, runAt: runAt, uniqueKey: key.map { "\(f.namespace):\($0)" },
               script: f.namespace, handler: "\(f.namespace):\(handler)", trigger: trigger, maxAttempts: maxAttempts)
}

/// A finished run of `f`'s script.
func run(_ f: StoreFixture, outcome: String = "ok", handler: String = "on:order.*", started: Date, seconds: TimeInterval = 1,
         logs: Int = 0, jobID: Int64? = nil) -> RunInsert {
    RunInsert(
        jobID: jobID, script: f.namespace, version: "v1", handler: "\(f.namespace):\(handler)", trigger: "webhook:1",
        credential: "main", attempt: 1, worker: "w1", startedAt: started, endedAt: started.addingTimeInterval(seconds),
        outcome: outcome, limitKind: outcome == "limit" ? "instructions" : nil, error: outcome == "failed" ? "rules.lua:3: boom" : nil,
        traceback: outcome == "failed" ? "stack traceback:\n\trules.lua:3" : nil, apiCalls: 2, budgetWait: .milliseconds(250),
        input: #"{"event":"order.created"}"#,
        logs: (0..<logs).map { i in
            RunLogRow(seq: i, at: started.addingTimeInterval(Double(i)), kind: i % 2 == 0 ? "log" : "print",
                      level: i % 2 == 0 ? "info" : nil, message: "line \(i)", fields: #"{"i":\#(i)}"#,
                      location: "rules.lua:\(i + 1)", text: "line \(i)")
        },
        logsDropped: logs > 2 ? 1 : 0)
}
