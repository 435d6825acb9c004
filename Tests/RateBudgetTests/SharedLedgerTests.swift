import Foundation
import LunasStore
import LunasTesting
import RateBudget
import Testing

/// Two `RateBudgets` over one database stand for two processes: together they keep the windows.
@Suite(.timeLimit(.minutes(2)), .testScope) struct SharedLedgerTests {
    @Test(arguments: StoreBackend.available)
    func twoProcessesNeverExceedTheWindowsTogether(_ backend: StoreBackend) async throws {
        let fixture = try await StoreFixture.open(backend)
        let stores = [fixture.store, try await fixture.reopen()]
        let credential = "shared-\(UUID().uuidString.prefix(8))"
        let spec = try BudgetSpec(parsing: "10/250ms,30/1s")
        let recorder = SendRecorder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in stores.enumerated() {
                let budgets = RateBudgets(ledger: store)
                group.addTask {
                    try await hammer(budgets, credential: credential, spec: spec,
                                     scripts: [("p\(index)a", 1, 3), ("p\(index)b", 2, 3)], recorder: recorder) { recorder.total >= 150 }
                }
            }
            try await group.waitForAll()
        }
        for store in stores { await store.close() }
        #expect(firstViolation(recorder.times, spec.windows) == nil)
        #expect(recorder.count("p0a") + recorder.count("p0b") > 30 && recorder.count("p1a") + recorder.count("p1b") > 30)
    }
}
