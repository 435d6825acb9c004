import Foundation
import GRDB
import Logging
import LuaKit
import LunasRuntime
import LunasStore
import PostgresNIO

// kv-bench: ops/s of kv.set and kv.get called from Lua (through LunasRuntime's kv module and
// LunasStore) against the same statements issued directly through GRDB / postgres-nio, one
// caller, one key space of 1,000 keys, values of about 40 bytes of JSON.
// Prints a table and one line per backend and operation: `kv.<op> <backend> lua=.. raw=.. ratio=..`.

struct Options {
    var ops = 20_000
    var rounds = 3
    var postgres: String? = ProcessInfo.processInfo.environment["LUNAS_BENCH_POSTGRES_URL"]
        ?? ProcessInfo.processInfo.environment["LUNAS_TEST_POSTGRES_URL"]

    init(_ arguments: [String]) {
        var it = arguments.dropFirst().makeIterator()
        while let a = it.next() {
            switch a {
            case "--ops": ops = it.next().flatMap(Int.init) ?? ops
            case "--rounds": rounds = max(1, it.next().flatMap(Int.init) ?? rounds)
            case "--postgres": postgres = it.next()
            default: FileHandle.standardError.write(Data("usage: kv-bench [--ops N] [--rounds N] [--postgres URL]\n".utf8)); exit(2)
            }
        }
    }
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// Runs `kv.set` then `kv.get` loops in Lua; returns (set s, get s).
func luaPath(store: OnDemandStore, namespace: String, ops: Int, folder: URL) async throws -> (Double, Double) {
    let setFile = folder.appendingPathComponent("set.lua"), getFile = folder.appendingPathComponent("get.lua")
    try """
        local n = tonumber((...))
        for i = 1, n do kv.set("order:" .. (i % 1000), { id = i, status = "paid", total = 125000 }) end
        """.write(to: setFile, atomically: true, encoding: .utf8)
    try """
        local n = tonumber((...))
        local found = 0
        for i = 1, n do if kv.get("order:" .. (i % 1000)) then found = found + 1 end end
        assert(found == n, "missing values")
        """.write(to: getFile, atomically: true, encoding: .utf8)
    var options = ScriptOptions(arguments: [String(ops)])
    options.store = store
    options.namespace = namespace
    let cache = ChunkCache()
    // Warm up: open the store, compile, fill the key space.
    _ = try await ScriptRun(file: setFile.path, options: ScriptOptions(arguments: ["1000"]).with(store, namespace), cache: cache).run()
    let set = try await seconds { _ = try await ScriptRun(file: setFile.path, options: options, cache: cache).run() }
    let get = try await seconds { _ = try await ScriptRun(file: getFile.path, options: options, cache: cache).run() }
    return (set, get)
}

extension ScriptOptions {
    func with(_ store: OnDemandStore, _ namespace: String) -> ScriptOptions {
        var copy = self
        copy.store = store
        copy.namespace = namespace
        return copy
    }
}

func value(_ i: Int) -> String { #"{"id":\#(i),"status":"paid","total":125000}"# }

/// The same upsert and point read through GRDB directly, on the same file and table.
func rawSQLite(path: String, namespace: String, ops: Int) async throws -> (Double, Double) {
    var configuration = Configuration()
    configuration.busyMode = .timeout(30)
    let pool = try DatabasePool(path: path, configuration: configuration)
    // The store's durability: every commit fsynced. (Set on the writer after opening: GRDB turns a
    // pool's writer to synchronous=NORMAL when it enables WAL, after prepareDatabase has run.)
    try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    let mode = try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
    precondition(mode == 2, "the raw baseline must run with synchronous=FULL, like the store")
    let set = try await seconds {
        for i in 1...ops {
            try await pool.write { db in
                try db.cachedStatement(sql: """
                    INSERT INTO lunas_kv (ns, key, value, version, expires_at) VALUES (?, ?, ?, ?, NULL)
                    ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = NULL
                    """).execute(arguments: [namespace, "order:\(i % 1000)", value(i), i])
            }
        }
    }
    let get = try await seconds {
        for i in 1...ops {
            let found = try await pool.read { db in
                try Row.fetchOne(db.cachedStatement(sql: "SELECT value, version FROM lunas_kv WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)"),
                                 arguments: [namespace, "order:\(i % 1000)", Int64(Date().timeIntervalSince1970 * 1000)]) != nil
            }
            precondition(found, "missing value")
        }
    }
    try pool.close()
    return (set, get)
}

/// The same upsert and point read through postgres-nio's pooled client.
func rawPostgres(url: String, namespace: String, ops: Int) async throws -> (Double, Double) {
    guard let parts = URLComponents(string: url), let host = parts.host else { throw StoreError.unsupportedLocation(url) }
    let configuration = PostgresClient.Configuration(
        host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
        database: parts.path.count > 1 ? String(parts.path.dropFirst()) : nil, tls: .disable)
    let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "bench"))
    return try await withThrowingTaskGroup(of: (Double, Double)?.self) { group in
        group.addTask { await client.run(); return nil }
        let set = try await seconds {
            for i in 1...ops {
                let key = "order:\(i % 1000)", v = value(i)
                try await client.query("""
                    INSERT INTO lunas_kv (ns, key, value, version, expires_at) VALUES (\(namespace), \(key), \(v), \(Int64(i)), NULL)
                    ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version, expires_at = NULL
                    """)
            }
        }
        let get = try await seconds {
            for i in 1...ops {
                let key = "order:\(i % 1000)"
                let rows = try await client.query("""
                    SELECT value, version FROM lunas_kv WHERE ns = \(namespace) AND key = \(key)
                      AND (expires_at IS NULL OR expires_at > lunas_now_ms())
                    """).collect()
                precondition(!rows.isEmpty, "missing value")
            }
        }
        group.cancelAll()
        return (set, get)
    }
}

/// Seconds per call of a Lua loop calling an async host function that does nothing (and, with
/// `suspending`, suspends once, as real I/O does).
func asyncCallFloor(ops: Int, suspending: Bool = false) async throws -> Double {
    let state = try LuaState()
    state.registerAsync("noop") { _ in
        if suspending { await Task.yield() }
        return []
    }
    let start = ContinuousClock.now
    _ = try await state.run("for i = 1, \(ops) do noop() end")
    let d = ContinuousClock.now - start
    return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) / Double(ops)
}

let options = Options(CommandLine.arguments)
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-kv-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

var backends: [(String, StoreLocation)] = [("sqlite", .sqlite(path: folder.appendingPathComponent("bench.db").path))]
if let url = options.postgres { backends.append(("postgres", .postgres(url: url))) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

print("kv benchmark: \(options.ops) ops per measurement, one caller; \(options.rounds) interleaved rounds (lua, raw, store), medians")
print(String(format: "async host call floor (LuaKit, no store): %.1f us per call; %.1f us when it suspends",
             try await asyncCallFloor(ops: options.ops) * 1e6, try await asyncCallFloor(ops: options.ops, suspending: true) * 1e6))
print("op      backend   lua ops/s   store ops/s   raw ops/s   lua/raw")
for (name, location) in backends {
    let store = OnDemandStore(location: location, options: StoreOptions(purgeInterval: nil))
    let luaNamespace = "bench-lua-\(UUID().uuidString.prefix(8))", rawNamespace = "bench-raw-\(UUID().uuidString.prefix(8))"
    let storeNamespace = "bench-store-\(UUID().uuidString.prefix(8))"
    // ops/s per round: [op][path] with op 0 = set, 1 = get and path 0 = lua, 1 = store, 2 = raw
    var rates = [[[Double]]](repeating: [[], [], []], count: 2)
    for _ in 1...options.rounds {
        let (luaSet, luaGet) = try await luaPath(store: store, namespace: luaNamespace, ops: options.ops, folder: folder)
        let (rawSet, rawGet): (Double, Double)
        switch location {
        case .sqlite(let path): (rawSet, rawGet) = try await rawSQLite(path: path, namespace: rawNamespace, ops: options.ops)
        case .postgres(let url): (rawSet, rawGet) = try await rawPostgres(url: url, namespace: rawNamespace, ops: options.ops)
        }
        // The store's Swift API alone (no Lua), to split the overhead between the store and the binding.
        let direct = try await store.store()
        let storeSet = try await seconds {
            for i in 1...options.ops { try await direct.set("order:\(i % 1000)", to: value(i), in: storeNamespace) }
        }
        let storeGet = try await seconds {
            for i in 1...options.ops {
                let entry = try await direct.get("order:\(i % 1000)", in: storeNamespace)
                precondition(entry != nil, "missing value")
            }
        }
        for (op, times) in [(0, [luaSet, storeSet, rawSet]), (1, [luaGet, storeGet, rawGet])] {
            for path in 0..<3 { rates[op][path].append(Double(options.ops) / times[path]) }
        }
    }
    for (op, label) in [(0, "kv.set"), (1, "kv.get")] {
        let l = median(rates[op][0]), s = median(rates[op][1]), r = median(rates[op][2])
        let ratios = zip(rates[op][0], rates[op][2]).map { 100 * $0 / $1 }
        // the ratio of the rounds' total times, as a check on the ratio of the medians
        let total = rates[op][2].map { 1 / $0 }.reduce(0, +) / rates[op][0].map { 1 / $0 }.reduce(0, +)
        print(String(format: "%-7@ %-9@ %9.0f   %11.0f   %9.0f   %5.1f%% (rounds %.0f-%.0f%%, all ops %.1f%%)", label as NSString, name as NSString,
                     l, s, r, 100 * l / r, ratios.min() ?? 0, ratios.max() ?? 0, 100 * total))
    }
    await store.close()
}
