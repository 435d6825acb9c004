import Foundation
import LunasStore
import LunasTesting
import Testing

/// `kv` across real `lunas` processes: concurrency and crashes. Needs the built binary
/// (`swift build --product lunas`).
@Suite(.serialized, .timeLimit(.minutes(3)), .testScope) struct KVProcessTests {
    static let processes = 8
    static let increments = 1_000

    @Test(arguments: KVBackend.available)
    func eightProcessesIncrementingOneKeyLoseNothing(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let location = try backend.location(in: w.folder)
        let namespace = "incr-\(UUID().uuidString)"
        let script = try w.script("incr", """
            for _ = 1, \(Self.increments) do kv.incr("hits") end
            """)
        let arguments = ["run", script, "--store", Self.argument(location), "--namespace", namespace]
        let statuses = try await withThrowingTaskGroup(of: (Int32, String).self) { group in
            for _ in 0..<Self.processes {
                group.addTask {
                    let outcome = try await LunasBinary.run(arguments, in: w.folder)
                    return (outcome.status, outcome.err)
                }
            }
            return try await group.reduce(into: [(Int32, String)]()) { $0.append($1) }
        }
        for (status, err) in statuses { #expect(status == 0, "lunas failed: \(err)") }
        let store = try await location.open(options: StoreBackend.testOptions)
        TestScope.adopt { await store.close() }
        #expect(try await store.get("hits", in: namespace)?.value == String(Self.processes * Self.increments))
        await store.close()
    }

    @Test(arguments: KVBackend.available)
    func everyAcknowledgedWriteSurvivesKillDashNine(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let location = try backend.location(in: w.folder)
        let namespace = "crash-\(UUID().uuidString)"
        // Each line printed is a write that returned; print flushes per line only when stdout is
        // a terminal, so the acknowledgements we see lag behind: every one must be durable.
        let script = try w.script("writer", """
            local blob = string.rep("x", 200)
            for i = 1, 100000000 do
              kv.set("k" .. i, {i = i, blob = blob})
              kv.incr("count")
              print(i)
            end
            """)
        let (process, out, _) = LunasBinary.process(
            ["run", script, "--store", Self.argument(location), "--namespace", namespace], in: w.folder)
        let finished = AsyncStream<Process.TerminationReason> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationReason); continuation.finish() }
        }
        try process.run()
        let last = await LunasBinary.readLines(out.fileHandleForReading) { (Int($0) ?? 0) >= 1_500 }
        let acknowledged = Int(last) ?? 0
        kill(process.processIdentifier, SIGKILL)
        var reason: Process.TerminationReason?
        for await r in finished { reason = r }
        #expect(reason == .uncaughtSignal)
        #expect(acknowledged >= 1_500, "the writer stopped early")

        let store = try await location.open(options: StoreBackend.testOptions)
        TestScope.adopt { await store.close() }
        #expect(try await store.checkIntegrity() == [])
        var missing: [Int] = []
        for i in stride(from: 1, through: acknowledged, by: 1) where try await store.get("k\(i)", in: namespace) == nil { missing.append(i) }
        #expect(missing.isEmpty, "acknowledged writes lost: \(missing.prefix(10))")
        let count = Int(try await store.get("count", in: namespace)?.value ?? "0") ?? 0
        #expect(count >= acknowledged)
        // The store still takes writes after the crash.
        try await store.set("after", to: "1", in: namespace)
        await store.close()
    }

    static func argument(_ location: StoreLocation) -> String {
        switch location {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }
}
