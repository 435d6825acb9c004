import Foundation
import GRDB
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import ScalevModel
import Synchronization
import Testing

/// The Lua `kv` module, run in-process over a real store.
@Suite(.timeLimit(.minutes(2)), .testScope) struct KVModuleTests {
    @Test(arguments: KVBackend.available)
    func valuesComeBackAsTheyWentIn(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let file = try w.script("values", """
            kv.set("arr", {1, 2, {3}})
            kv.set("obj", {a = 1, b = json.null, c = "x"})
            kv.set("empty", json.array())
            kv.set("int", 9007199254740993)
            kv.set("float", 1.5)
            kv.set("null", json.null)
            local arr, v = kv.get("arr")
            local obj = kv.get("obj")
            local i = kv.get("int")
            return json.encode(arr), json.encode((kv.get("empty"))), math.type(i), i, (kv.get("float")),
                   obj.b == json.null, kv.get("null") == json.null, kv.get("missing") == nil, math.type(v)
            """)
        let results = try await w.run(file, store: store, namespace: "values-\(UUID().uuidString)")
        await store.close()
        #expect(results == ["[1,2,[3]]", "[]", "integer", .integer(9_007_199_254_740_993), .number(1.5), true, true, true, "integer"])
    }

    @Test(arguments: KVBackend.available)
    func everyFunctionAnswersAsDocumented(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let file = try w.script("api", """
            local out = {}
            local function add(v) out[#out + 1] = v end
            add(kv.add("k", 1))             -- true
            add(kv.add("k", 2))             -- false
            add(kv.replace("k", 3))         -- true
            add(kv.replace("nope", 3))      -- false
            local _, version = kv.get("k")
            add(kv.cas("k", version, 4))    -- true
            add(kv.cas("k", version, 5))    -- false
            add(kv.get("k"))                -- 4
            add(kv.incr("n"))               -- 1
            add(kv.incr("n", 10))           -- 11
            add(kv.incr("m", 1, {init = 100, ttl = 60}))  -- 101
            add(kv.ttl("m") > 30)           -- true
            add(kv.ttl("k"))                -- -1
            add(kv.ttl("nope") == nil)      -- true
            add(kv.delete("k"))             -- true
            add(kv.delete("k"))             -- false
            for i = 1, 5 do kv.set("p:" .. i, i) end
            local keys, cursor = kv.keys("p:", {limit = 3})
            add(#keys) add(keys[1]) add(cursor ~= nil)
            local rest, done = kv.keys("p:", {limit = 3, cursor = cursor})
            add(#rest) add(rest[2]) add(done == nil)
            return table.unpack(out)
            """)
        let results = try await w.run(file, store: store, namespace: "api-\(UUID().uuidString)")
        await store.close()
        #expect(results == [true, false, true, false, true, false, 4, 1, 11, 101, true, -1, true, true, false,
                            3, "p:1", true, 2, "p:5", true])
    }

    @Test("a dry run answers as a real run would, its reads see its writes, and the store keeps what it had", arguments: KVBackend.available)
    func aDryRunWritesNothing(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let namespace = "dry-\(UUID().uuidString)"
        try await store.store().set("seeded", to: "7", in: namespace)
        let file = try w.script("dry", """
            local out = {}
            local function add(v) out[#out + 1] = v end
            add(kv.add("k", 1))             -- true
            add(kv.add("k", 2))             -- false
            add(kv.replace("k", 3))         -- true
            local _, version = kv.get("k")
            add(kv.cas("k", version, 4))    -- true
            add(kv.cas("k", version, 5))    -- false
            add(kv.get("k"))                -- 4
            add(kv.incr("n", 10))           -- 10
            add(kv.incr("m", 1, {init = 100, ttl = 60}))  -- 101
            add(kv.ttl("m") > 30)           -- true
            add(kv.get("seeded"))           -- 7, from the store
            add(kv.delete("seeded"))        -- true
            add(kv.get("seeded") == nil)    -- true
            for i = 1, 5 do kv.set("p:" .. i, i) end
            local keys, cursor = kv.keys("p:", {limit = 3})
            add(#keys) add(keys[1]) add(cursor ~= nil)
            local rest, done = kv.keys("p:", {limit = 3, cursor = cursor})
            add(#rest) add(rest[2]) add(done == nil)
            local lock = kv.lock("job")
            add(kv.set("fenced", 1, {fence = lock}) ~= nil)   -- true
            add(lock:release())             -- true
            return table.unpack(out)
            """)
        let lines = Mutex<[String]>([])
        var options = ScriptOptions()
        options.kvDryRun = { line in lines.withLock { $0.append(line) } }
        let results = try await w.run(file, store: store, namespace: namespace, options: options)
        #expect(results == [true, false, true, true, false, 4, 10, 101, true, 7, true, true, 3, "p:1", true, 2, "p:5", true, true, true])
        let left = try await store.store().keys(in: namespace, prefix: "", limit: 100, cursor: nil)
        #expect(left.keys == ["seeded"])
        #expect(try await store.store().get("seeded", in: namespace)?.value == "7")
        await store.close()
        let reported = lines.withLock { $0 }
        #expect(reported.first == "dry run: kv.add k = 1 (not written)")
        #expect(reported.contains("dry run: kv.incr m = 101 (not written)"))
        #expect(reported.contains("dry run: kv.delete seeded (not written)"))
        #expect(reported.contains("dry run: kv.lock job (taken for this run only)"))
    }

    @Test(arguments: KVBackend.available)
    func errorsNameTheScriptLine(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let file = try w.script("errors", """
            local big = string.rep("x", 300000)
            local ok1, e1 = pcall(kv.set, "k", big)
            local ok2, e2 = pcall(function() kv.set("k", function() end) end)
            kv.set("s", "text")
            local ok3, e3 = pcall(function() kv.incr("s") end)
            local ok4, e4 = pcall(function() kv.set("k", 1, {tll = 5}) end)
            local ok5, e5 = pcall(function() kv.shared("team") end)
            return e1, e2, e3, e4, e5
            """)
        let results = try await w.run(file, store: store, namespace: "errors-\(UUID().uuidString)")
        await store.close()
        let messages = results.map { $0.stringValue ?? "" }
        #expect(messages[0].contains("kv.set: value is 300002 bytes of JSON, over the 262144-byte limit"))
        #expect(messages[1].contains("errors.lua:3: kv.set: value cannot be stored as JSON"))
        #expect(messages[2].contains("errors.lua:5: kv.incr:") && messages[2].contains("not an integer"))
        #expect(messages[3].contains("errors.lua:6: kv.set: unknown option 'tll'"))
        #expect(messages[4].contains("errors.lua:7: kv.shared: namespace 'team' is not shared"))
    }

    @Test(arguments: KVBackend.available)
    func aScriptSeesOnlyItsNamespaceAndTheSharedOnesItWasGranted(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let team = "team-\(UUID().uuidString)"
        let suffix = UUID().uuidString
        let writer = try w.script("billing/writer-\(suffix)", """
            kv.set("secret", "mine")
            kv.shared("\(team)").set("note", "for everyone")
            return (kv.get("secret"))
            """)
        let reader = try w.script("reader-\(suffix)", """
            return kv.get("secret") == nil, (kv.shared("\(team)").get("note"))
            """)
        #expect(try await w.run(writer, store: store, shared: [team]) == ["mine"])
        #expect(try await w.run(reader, store: store, shared: [team]) == [true, "for everyone"])
        let own = try await store.store().get("secret", in: "billing/writer-\(suffix)")
        #expect(own?.value == #""mine""#)
        await store.close()
    }

    @Test(arguments: KVBackend.available)
    func locksFenceWritesFromLua(_ backend: KVBackend) async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = try backend.onDemandStore(in: w.folder)
        let file = try w.script("locks", """
            local l = kv.lock("job", {ttl = 30})
            local again = kv.lock("job", {wait = 0.05})
            kv.set("out", 1, {fence = l})
            local refreshed = l:refresh({ttl = 60})
            local released = l:release()
            local ok, err = pcall(function() kv.set("out", 2, {fence = l}) end)
            local l2 = kv.lock("job")
            return math.type(l.token), again == nil, refreshed, released, ok, err, l2.token > l.token, (kv.get("out"))
            """)
        let results = try await w.run(file, store: store, namespace: "locks-\(UUID().uuidString)")
        await store.close()
        #expect(results.count == 8)
        #expect(Array(results.prefix(5)) == ["integer", true, true, true, false])
        #expect(results[5].stringValue?.contains("locks.lua:6: kv.set: stale fencing token") == true)
        #expect(results[6] == true)
        #expect(results[7] == 1)
    }

    @Test func aScriptsNamespaceIsItsPathUnderTheScriptsFolder() throws {
        #expect(try ScriptNamespace.name(forScript: "/srv/app/scripts/billing/retry.lua", folders: ["/srv/app/scripts"]) == "billing/retry")
        #expect(try ScriptNamespace.name(forScript: "/srv/app/scripts/vip.lua", folders: ["/srv/app/scripts/"]) == "vip")
        // issue 16: no bare-name fallback; a script outside the folders has no namespace
        #expect(try ScriptNamespace.name(forScript: "/elsewhere/tool.lua", folders: ["/srv/app/scripts"]) == nil)
    }

    @Test func aRunThatNeverTouchesKVCreatesNoDatabase() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let path = w.folder.appendingPathComponent("lazy.db").path
        let store = OnDemandStore(location: .sqlite(path: path))
        let file = try w.script("plain", "return 1 + 1")
        #expect(try await w.run(file, store: store) == [2])
        #expect(!store.isOpen)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aDeadlineEndsARunWaitingForTheWriteLockAndTheWriteGoesThroughOnceFree() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let path = w.folder.appendingPathComponent("lunas.db").path
        let store = OnDemandStore(location: .sqlite(path: path))
        let namespace = "locked-\(UUID().uuidString)"
        let file = try w.script("writer", "kv.set('k', (...)) return (kv.get('k'))")
        #expect(try await w.run(file, store: store, namespace: namespace, arguments: ["1"]) == ["1"]) // the store is open
        // another connection (as another process would) takes the write lock and keeps it
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let limited = ScriptOptions(limits: LuaLimits(memory: 256 << 20, deadline: .milliseconds(300)))
        do {
            _ = try await w.run(file, store: store, namespace: namespace, arguments: ["2"], options: limited)
            Issue.record("the run did not stop")
        } catch let error as LuaError {
            #expect(error.kind == .limit(.deadline(.milliseconds(300))))
        }
        // reads go on meanwhile; once the lock is free, writes go through again
        let reader = try w.script("reader", "return (kv.get('k'))")
        #expect(try await w.run(reader, store: store, namespace: namespace) == ["1"])
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try other.close()
        #expect(try await w.run(file, store: store, namespace: namespace, arguments: ["3"]) == ["3"])
        await store.close()
    }
}
