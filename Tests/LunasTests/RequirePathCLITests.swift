import Foundation
import Testing

/// Issue 16: `require` errors of `lunas run` name modules by their place in the script's folder
/// or the stdlib, never by where those are on the host.
@Suite(.timeLimit(.minutes(2))) struct RequirePathCLITests {
    @Test("a module not found, and an error inside a stdlib module, show no absolute host path")
    func requireErrorsShowNoHostPath() async throws {
        let w = try KVWorkspace()
        defer { w.remove() }
        _ = try w.script("helper", "return { fail = function() error('helper failed') end }")
        let missing = try w.script("missing", "local ok, e = pcall(require, 'lunas.nope')\nprint(e)\nrequire('helper').fail()")
        let outcome = try await LunasBinary.run(["run", missing], in: w.folder)
        #expect(outcome.status == 1)
        #expect(outcome.out.contains("no file 'lunas/nope.lua'") && outcome.out.contains("no file 'stdlib/lunas/nope.lua'"), "\(outcome.out)")
        #expect(outcome.err.contains("helper.lua:1: helper failed"), "\(outcome.err)")
        for text in [outcome.out, outcome.err.replacingOccurrences(of: missing, with: "SCRIPT")] {
            #expect(!text.contains(w.folder.path) && !text.contains(LunasBinary.packageRoot.path), "\(text)")
        }
    }
}
