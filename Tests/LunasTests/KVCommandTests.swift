import Foundation
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
}
