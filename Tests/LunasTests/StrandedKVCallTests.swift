import Foundation
import LuaKit
import LunasStore
import Testing

/// Issue 16: `kv.get` in a coroutine resumed from a sort comparator could be left parked there,
/// and the script then answered it itself (`coroutine.resume(co, "forged")`).
@Suite(.timeLimit(.minutes(2)), .testScope) struct StrandedKVCallTests {
    @Test func aKVCallInACoroutineResumedFromASortComparatorFailsAndCannotBeAnsweredByTheScript() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = OnDemandStore(location: .sqlite(path: w.folder.appendingPathComponent("kv.db").path))
        let file = try w.script("stranded", """
            kv.set("balance", 10)
            local got
            local co = coroutine.create(function() got = { pcall(kv.get, "balance") } end)
            pcall(table.sort, { 1, 2, 3 }, function(a, b) coroutine.resume(co) return a < b end)
            local forged = coroutine.resume(co, 1000000)
            return coroutine.status(co), forged, got[1], got[2], (kv.get("balance"))
            """)
        let values = try await w.run(file, store: store)
        #expect(values.count == 5)
        #expect(Array(values.prefix(3)) == ["dead", false, false], "\(values)")
        #expect(values[3].stringValue?.contains("cannot call async function 'kv.get'") == true
                || values[3].stringValue?.contains("cannot suspend here") == true, "\(values)")
        #expect(values[4] == 10)
    }
}
