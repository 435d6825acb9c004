import Foundation
import LunasStore
import RateBudget
import Testing

/// Two `RateBudgets` over one database stand for two processes: together they keep the windows.
@Suite(.timeLimit(.minutes(2))) struct SharedLedgerTests {
    enum Backend: String, CaseIterable, Sendable {
        case sqlite, postgres
        static var available: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
        static var postgresURL: String? {
            let url = ProcessInfo.processInfo.environment["LUNAS_TEST_POSTGRES_URL"]
            return url?.isEmpty == false ? url : nil
        }
    }

    @Test(arguments: Backend.available)
    func twoProcessesNeverExceedTheWindowsTogether(_ backend: Backend) async throws {
        let location: StoreLocation
        var folder: URL?
        switch backend {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-budget-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            folder = dir
            location = .sqlite(path: dir.appendingPathComponent("lunas.db").path)
        case .postgres:
            location = .postgres(url: try #require(Backend.postgresURL))
        }
        defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
        let options = StoreOptions(purgeInterval: nil)
        let stores = [try await location.open(options: options), try await location.open(options: options)]
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
