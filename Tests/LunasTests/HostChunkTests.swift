import Foundation
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// The host's Lua wrappers (`kv`, `scalev`) against a script that replaces every library
/// function and metatable it can reach: the wrappers use what they captured at install time, and
/// the metatables they hand out are protected.
@Suite(.timeLimit(.minutes(2)), .testScope) struct HostChunkTests {
    /// Replaces the string, table, json and base functions and the string metatable's __index.
    static let sabotage = """
        string.gsub = function(s) return s, 0 end
        string.format = function() return '' end
        string.byte = function() return 0 end
        table.concat = function() return '' end
        table.sort = function() end
        table.insert = nil
        json.encode = function() return '{}' end
        json.decode = function() return 'sabotaged' end
        json.array = function(t) return t end
        ipairs = function() return function() end end
        pairs = ipairs
        type = function() return 'table' end
        tostring = function() return '' end
        setmetatable = function(t) return t end
        math.type = function() return nil end
        getmetatable('').__index = function() error('the string metatable was read') end
        """

    @Test(arguments: KVBackend.available)
    func kvUsesItsOwnFunctionsAndProtectsTheLockMetatable(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let file = try w.script("sabotage", Self.sabotage + """

            kv.set("k", { 1, 2 })
            local v = kv.get("k")
            local lock = kv.lock("l")
            return v[2], getmetatable(lock), lock.__index == nil, lock:release()
            """)
        let results = try await w.run(file, store: store, namespace: "sabotage-\(UUID().uuidString)")
        await store.close()
        #expect(results == [2, "kv.lock", true, true])
    }

    @Test("scalev escapes ids and encodes bodies with its own functions")
    func scalevUsesItsOwnFunctions() async throws {
        let world = try await ScalevWorld(orders: 5)
        let results = try await world.run(Self.sabotage + """

            local answer = scalev.orders.update("a/b c", { notes = "x" })
            return answer.dry_run, answer.notes
            """, access: world.access(dryRun: true))
        #expect(results == [true, "x"])
        #expect(world.everyLine.contains { $0.contains("PATCH /v3/orders/a%2Fb%20c") })
    }
}
