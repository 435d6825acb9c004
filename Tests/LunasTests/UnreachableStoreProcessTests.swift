import Foundation
import Testing

/// How long `lunas` takes to give up on a store it cannot reach: timed, so it runs in the serial
/// phase of .ci/test.sh (its name ends in ProcessTests), where other tests' load is not measured.
@Suite(.timeLimit(.minutes(2))) struct UnreachableStoreProcessTests {
    @Test("an unreachable PostgreSQL store fails within 10 s, naming HOST:PORT (exit 2): a closed port, a server that never answers")
    func unreachablePostgres() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let silent = try SilentListener()
        defer { silent.close() }
        let closedPort = try SilentListener.closedPort()
        let script = try w.script("counter", "kv.incr('runs')")
        for address in ["127.0.0.1:\(closedPort)", "127.0.0.1:\(silent.port)"] {
            let url = "postgres://lunas:secret@\(address)/lunas"
            for arguments in [["run", script, "--store", url], ["kv", "keys", "--ns", "counter", "--store", url]] {
                let started = ContinuousClock.now
                let outcome = try await LunasBinary.run(arguments, in: w.folder)
                #expect(ContinuousClock.now - started < .seconds(10), "\(arguments[0]) \(address)")
                #expect(outcome.status == 2, "\(arguments[0]) \(address): \(outcome.err)")
                #expect(outcome.err.contains("cannot connect to the store at \(address): "), "\(outcome.err)")
                #expect(!outcome.err.contains("secret") && !outcome.err.contains("ConnectionPoolError"), "\(outcome.err)")
            }
        }
    }
}
