import Foundation
import LunasTesting
import Testing

/// Issue 16: the keys of `lunas sandbox` and `lunas run --sandbox` are random per start (a script
/// that knows the data's seed cannot rebuild them); `--key-seed` makes them known, for tests.
@Suite("Sandbox keys on the command line", .testScope)
struct SandboxKeyCLITests {
    /// SplitMix64 from the public seed 1, as the sandbox draws its data: the first `count`
    /// characters of the stream, then the unique ids of the stores the script can see.
    static let rebuild = """
        local state = 1 ~ 0x9E3779B97F4A7C15
        local function draw()
          state = state + 0x9E3779B97F4A7C15
          local z = state
          z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
          z = (z ~ (z >> 27)) * 0x94D049BB133111EB
          return z ~ (z >> 31)
        end
        local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        local out = {}
        for i = 1, 4000 do
          local z = draw()
          local index = 2 * ((z >> 1) % 31) + (z & 1)   -- z % 62, z read as unsigned
          out[i] = alphabet:sub(index + 1, index + 1)
        end
        print(table.concat(out))
        for store in scalev.stores.each({}, { progress = false }) do print(store.unique_id) end
        """

    /// The business key of the sandbox a `--sandbox` run left in `folder`'s data file.
    static func liveKey(in folder: URL) throws -> String {
        let data = try Data(contentsOf: folder.appendingPathComponent("lunas-sandbox.json"))
        let snapshot = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let credentials = try #require((snapshot["state"] as? [String: Any])?["credentials"] as? [String: Any])
        return try #require(credentials["businessKey"] as? String)
    }

    @Test("a script under --sandbox rebuilds the data's stream from the seed, and the key is not in it; each run has a new key")
    func runSandboxKeyIsNotDerivable() async throws {
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("rebuild.lua")
        try Self.rebuild.write(to: script, atomically: true, encoding: .utf8)
        var keys: [String] = []
        for _ in 0..<2 {
            let outcome = try await ScalevCLITests.run(["run", "--sandbox", script.path], in: folder)
            #expect(outcome.status == 0, "\(outcome.err)")
            let lines = outcome.out.split(separator: "\n").map(String.init)
            let stream = try #require(lines.first)
            // the control: the script does rebuild what the seed gives (the first store's id)
            #expect(lines.dropFirst().contains("store_" + stream.prefix(24)), "\(lines.dropFirst())")
            let key = try Self.liveKey(in: folder)
            #expect(key.hasPrefix("sk_") && !stream.contains(key.dropFirst(3)) && !outcome.out.contains(key))
            keys.append(key)
        }
        #expect(keys[0] != keys[1])
    }

    @Test("--key-seed pins the keys of lunas run --sandbox")
    func runSandboxKeySeed() async throws {
        let folder = try ScalevCLITests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("stores.lua")
        try "scalev.stores.list { page_size = 1 }\nprint(\"ok\")".write(to: script, atomically: true, encoding: .utf8)
        var keys: [String] = []
        for _ in 0..<2 {
            let outcome = try await ScalevCLITests.run(["run", "--sandbox", "--key-seed", "11", script.path], in: folder)
            #expect(outcome.status == 0, "\(outcome.err)")
            keys.append(try Self.liveKey(in: folder))
        }
        #expect(keys[0] == keys[1])
        let refused = try await ScalevCLITests.run(["run", "--key-seed", "11", script.path], in: folder)
        #expect(refused.status != 0 && refused.err.contains("--key-seed"), "\(refused.err)")
    }

    /// The business key `lunas sandbox --json` prints first, with `arguments` after `--port 0 --json`.
    static func announcedKey(_ arguments: [String] = []) async throws -> String {
        let outcome = try await LunasProcess.run(["sandbox", "--port", "0", "--json"] + arguments, interruptWhen: "\n")
        let firstLine = try #require(outcome.stdout.split(separator: "\n").first)
        let details = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
        return try #require(details["business_key"] as? String)
    }

    @Test("lunas sandbox draws new keys at every start; --key-seed N gives the same ones")
    func sandboxCommandKeys() async throws {
        let first = try await Self.announcedKey()
        let second = try await Self.announcedKey()
        #expect(first.hasPrefix("sk_") && first != second)
        let pinned = try await Self.announcedKey(["--key-seed", "5"])
        #expect(try await Self.announcedKey(["--key-seed", "5"]) == pinned)
        #expect(pinned != first && pinned != second)
    }
}
