import Foundation
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// The stores the `kv` tests run against: SQLite always, PostgreSQL with LUNAS_TEST_POSTGRES_URL
/// (``StoreBackend/location(in:)`` gives a fresh SQLite file, or the test PostgreSQL database,
/// where tests use namespaces of their own).
typealias KVBackend = StoreBackend

/// A temporary folder with a scripts/ folder, deleted by `remove()`.
struct KVWorkspace {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-kv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scripts"), withIntermediateDirectories: true)
    }

    /// Writes scripts/NAME.lua and returns its path.
    func script(_ name: String, _ source: String) throws -> String {
        let url = folder.appendingPathComponent("scripts/\(name).lua")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs a script in-process with `kv` on `store`; the test's ``TestScope`` closes `store`
    /// when the test ends, in case the test does not get to.
    func run(_ file: String, store: OnDemandStore, namespace: String? = nil, shared: [String] = [],
             arguments: [String] = [], options: ScriptOptions = ScriptOptions()) async throws -> [LuaValue] {
        TestScope.adopt { await store.close() }
        var options = options
        options.arguments = arguments
        options.store = store
        options.namespace = namespace
        options.sharedNamespaces = shared
        options.scriptsFolder = folder.appendingPathComponent("scripts").path
        return try await ScriptRun(file: file, options: options).run()
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Runs the built `lunas` binary (`swift build` puts it in .build/debug).
enum LunasBinary {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var url: URL { packageRoot.appendingPathComponent(".build/debug/lunas") }

    /// A `lunas` process (or `executable`'s) in `folder`, with `environment` added to this one's
    /// (less LUNAS_STORE_URL).
    static func process(_ arguments: [String], in folder: URL, environment: [String: String] = [:], executable: URL? = nil) -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable ?? url
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: StoreLocation.environmentVariable)
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        return (process, out, err)
    }

    /// Runs to the end; returns the exit status, stdout and stderr.
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:], executable: URL? = nil)
        async throws -> (status: Int32, out: String, err: String)
    {
        let (process, out, err) = process(arguments, in: folder, environment: environment, executable: executable)
        let finished = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        async let o = readAll(out.fileHandleForReading)
        async let e = readAll(err.fileHandleForReading)
        let (stdout, stderr) = await (o, e)
        var status: Int32 = -1
        for await s in finished { status = s }
        return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Reads a pipe to its end on a Dispatch thread, never blocking the cooperative pool.
    static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    /// Reads lines from a pipe on a Dispatch thread until `enough` says stop (or the pipe ends);
    /// returns the last line seen.
    static func readLines(_ handle: FileHandle, until enough: @escaping @Sendable (String) -> Bool) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = Data(), last = ""
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    for byte in chunk {
                        if byte == UInt8(ascii: "\n") {
                            last = String(decoding: buffer, as: UTF8.self)
                            buffer.removeAll()
                        } else {
                            buffer.append(byte)
                        }
                    }
                    if enough(last) { break }
                }
                continuation.resume(returning: last)
            }
        }
    }
}
