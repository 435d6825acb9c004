import Foundation
import ScalevModel
import Testing

/// `lunas kv` for operators: the same data a script sees, values as JSON.
@Suite(.timeLimit(.minutes(2))) struct KVCommandTests {
    @Test func operatorsReadAndWriteAScriptsNamespace() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let store = w.folder.appendingPathComponent("ops.db").path
        func kv(_ arguments: String...) async throws -> (status: Int32, out: String, err: String) {
            try await LunasBinary.run(["kv"] + arguments + ["--ns", "vip", "--store", store], in: w.folder)
        }
        #expect(try await kv("set", "threshold", #"{"amount":1000000,"tags":["vip"]}"#).status == 0)
        #expect(try await kv("set", "bad", "not json").status == 2)
        let got = try await kv("get", "threshold")
        #expect(got.status == 0 && got.out == "{\"amount\":1000000,\"tags\":[\"vip\"]}\n")
        #expect(try await kv("incr", "runs", "--by", "5").out == "5\n")
        #expect(try await kv("keys").out == "runs\nthreshold\n")
        #expect(try await kv("delete", "runs").status == 0)
        #expect(try await kv("delete", "runs").status == 1)
        #expect(try await kv("get", "runs").status == 1)

        // A script named scripts/vip.lua sees the same namespace.
        let script = try w.script("vip", "print(kv.get('threshold').amount)")
        let run = try await LunasBinary.run(["run", script, "--store", store], in: w.folder)
        #expect(run.out == "1000000\n", "stderr: \(run.err)")
    }

    @Test("lunas kv finds the store lunas run used (--sandbox, lunas.toml), and a read never creates one")
    func storeResolution() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        let script = try w.script("counter", "kv.incr('runs')")
        let run = try await LunasBinary.run(["run", "--sandbox", script], in: w.folder)
        #expect(run.status == 0, "\(run.err)")
        let sandboxKeys = try await LunasBinary.run(["kv", "keys", "--sandbox", "--ns", "counter"], in: w.folder)
        #expect(sandboxKeys.status == 0 && sandboxKeys.out == "runs\n", "\(sandboxKeys.err)")

        let missing = try await LunasBinary.run(["kv", "keys", "--ns", "counter"], in: w.folder)
        #expect(missing.status == 2)
        #expect(missing.err.contains("there is no store at lunas.db"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: w.folder.appendingPathComponent("lunas.db").path))
        let nowhere = try await LunasBinary.run(["kv", "get", "--ns", "counter", "runs", "--store", "/nonexistent/dir/x.db"], in: w.folder)
        #expect(nowhere.status == 2)
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/dir"))

        try "store = \"configured.db\"\n".write(to: w.folder.appendingPathComponent("lunas.toml"), atomically: true, encoding: .utf8)
        #expect(try await LunasBinary.run(["run", script], in: w.folder).status == 0)
        let configured = try await LunasBinary.run(["kv", "get", "--ns", "counter", "runs"], in: w.folder)
        #expect(configured.status == 0 && configured.out == "1\n", "\(configured.err)")
        // --sandbox keeps away from the configured store
        #expect(try await LunasBinary.run(["run", "--sandbox", script], in: w.folder).status == 0)
        #expect(try await LunasBinary.run(["kv", "get", "--ns", "counter", "runs"], in: w.folder).out == "1\n")
        #expect(try await LunasBinary.run(["kv", "get", "--sandbox", "--ns", "counter", "runs"], in: w.folder).out == "2\n")
    }
}

/// A TCP socket on 127.0.0.1 that listens and never accepts: the kernel completes the
/// handshake, and nothing ever answers.
struct SilentListener {
    let descriptor: Int32
    let port: Int

    init() throws {
        (descriptor, port) = try Self.bound()
        guard listen(descriptor, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let (descriptor, port) = try bound()
        Glibc.close(descriptor)
        return port
    }

    private static func bound() throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socket in
                Glibc.bind(descriptor, socket, length) == 0 && getsockname(descriptor, socket, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    func close() { Glibc.close(descriptor) }
}
