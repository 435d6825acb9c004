import Foundation
import LuaKit
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// Issue 16: `kv` namespaces are unique across the scripts and rules folders, and a script
/// outside them needs one given; files that share a name never share data.
@Suite(.timeLimit(.minutes(2)), .testScope) struct ScriptNamespaceTests {
    /// A folder with `files` (relative path -> source) written in it.
    static func tree(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-ns-\(UUID().uuidString)")
        for (path, source) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try source.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("the working directory is no rule: a script beside it, outside the folders, has no namespace")
    func workingDirectoryIsNoRule() throws {
        let root = try Self.tree(["report.lua": "", "scripts/report.lua": "", "scripts/billing/retry.lua": ""])
        defer { try? FileManager.default.removeItem(at: root) }
        let cwd = root.path
        #expect(try ScriptNamespace.name(forScript: "report.lua", folders: ["scripts"], workingDirectory: cwd) == nil)
        #expect(try ScriptNamespace.name(forScript: "scripts/report.lua", folders: ["scripts"], workingDirectory: cwd) == "report")
        #expect(try ScriptNamespace.name(forScript: "./scripts/billing/../billing/retry.lua", folders: ["scripts"], workingDirectory: cwd) == "billing/retry")
        #expect(try ScriptNamespace.name(forScript: "report.lua", folders: [], workingDirectory: cwd) == nil)
        #expect(try ScriptNamespace.name(forScript: "scripts", folders: ["scripts"], workingDirectory: cwd) == nil)
    }

    @Test("two folders that would give two files one namespace are a load error naming both files")
    func clashNamesBothFiles() throws {
        let root = try Self.tree(["scripts/report.lua": "", "rules/report.lua": "", "rules/paid.lua": "", "scripts/rules/x.lua": "", "scripts/x.lua": ""])
        defer { try? FileManager.default.removeItem(at: root) }
        let cwd = root.path
        let error = #expect(throws: ScriptNamespace.Clash.self) {
            try ScriptNamespace.name(forScript: "rules/report.lua", folders: ["scripts", "rules"], workingDirectory: cwd)
        }
        #expect(error?.namespace == "report")
        #expect(error?.description.contains("rules/report.lua and scripts/report.lua") == true, "\(String(describing: error))")
        #expect(throws: ScriptNamespace.Clash.self) {
            try ScriptNamespace.name(forScript: "scripts/report.lua", folders: ["scripts", "rules"], workingDirectory: cwd)
        }
        #expect(try ScriptNamespace.name(forScript: "rules/paid.lua", folders: ["scripts", "rules"], workingDirectory: cwd) == "paid")
        // a folder inside another: the innermost names the file, and a twin in the outer one clashes
        #expect(throws: ScriptNamespace.Clash.self) {
            try ScriptNamespace.name(forScript: "scripts/rules/x.lua", folders: ["scripts", "scripts/rules"], workingDirectory: cwd)
        }
    }

    @Test("nsA/report.lua and nsB/report.lua run from a third folder against one store: neither gets a namespace by its name, each is told to pass --ns")
    func sameNameNeverSharesData() async throws {
        let root = try Self.tree([
            "nsA/report.lua": "kv.set('secret', 'from A')\nprint('A wrote')",
            "nsB/report.lua": "print((kv.get('secret')))",
            "nsB/plain.lua": "print('no kv here')",
            "work/scripts/report.lua": "print((kv.get('secret')))",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let work = root.appendingPathComponent("work")
        let store = root.appendingPathComponent("one.db").path
        let a = root.appendingPathComponent("nsA/report.lua").path, b = root.appendingPathComponent("nsB/report.lua").path
        let refused = try await LunasBinary.run(["run", a, "--store", store], in: work)
        #expect(refused.status != 0 && refused.out.isEmpty, "\(refused.out)")
        #expect(refused.err.contains("\(a):1: \(a) has no kv namespace (it is outside scripts/): pass --ns NAME to give it one, or move it into the scripts folder"),
                "\(refused.err)")
        // a script outside the folder that never touches kv runs as before
        let plain = try await LunasBinary.run(["run", root.appendingPathComponent("nsB/plain.lua").path, "--store", store], in: work)
        #expect(plain.status == 0 && plain.out == "no kv here\n", "\(plain.err)")

        #expect(try await LunasBinary.run(["run", a, "--store", store, "--ns", "a/report"], in: work).out == "A wrote\n")
        let other = try await LunasBinary.run(["run", b, "--store", store, "--ns", "b/report"], in: work)
        #expect(other.status == 0 && other.out == "nil\n", "\(other.err)")
        let inFolder = try await LunasBinary.run(["run", "scripts/report.lua", "--store", store], in: work)
        #expect(inFolder.status == 0 && inFolder.out == "nil\n", "\(inFolder.err)")
        // the one given explicitly is the one used, and lunas kv reads it
        #expect(try await LunasBinary.run(["run", b, "--store", store, "--ns", "a/report"], in: work).out == "from A\n")
        #expect(try await LunasBinary.run(["kv", "get", "--ns", "a/report", "secret", "--store", store], in: work).out == "\"from A\"\n")
    }

    @Test("ScriptRun: a script outside the scripts folder that reads kv fails before it starts; the namespace given is used")
    func scriptRunOutsideTheFolder() async throws {
        let root = try Self.tree(["elsewhere/tool.lua": "local n = 1\nreturn kv.incr('n')", "scripts/tool.lua": "return kv.incr('n')"])
        defer { try? FileManager.default.removeItem(at: root) }
        let store = OnDemandStore(location: .sqlite(path: root.appendingPathComponent("kv.db").path))
        TestScope.adopt { await store.close() }
        var options = ScriptOptions()
        options.store = store
        options.scriptsFolder = root.appendingPathComponent("scripts").path
        let outside = root.appendingPathComponent("elsewhere/tool.lua").path
        let error = await #expect(throws: LuaError.self) { try await ScriptRun(file: outside, options: options).run() }
        #expect(error?.message.hasPrefix("\(outside):2: \(outside) has no kv namespace") == true, "\(String(describing: error))")
        #expect(try await ScriptRun(file: root.appendingPathComponent("scripts/tool.lua").path, options: options).run() == [1])
        options.namespace = "tool"
        #expect(try await ScriptRun(file: outside, options: options).run() == [2])
    }
}
