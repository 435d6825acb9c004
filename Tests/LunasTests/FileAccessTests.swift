import Foundation
import LunasRuntime
import Testing

/// `input` and `output`: the one file each the operator granted, through the runtime
/// (``RunRequest/inputFile``, ``RunRequest/outputFile``) and through `lunas run --input/--output`.
@Suite struct FileAccessTests {
    let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-files-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func run(_ source: String, input: URL? = nil, output: URL? = nil, dryRun: Bool = false, maxOutput: Int? = nil) async -> (RunOutcome, RunTranscript) {
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))
        let transcript = RunTranscript()
        var options = ScriptOptions()
        if let maxOutput { options.maxOutputBytes = maxOutput }
        var request = RunRequest(source: .text(source, chunkName: "files.lua"), options: options, output: transcript.output)
        request.inputFile = input
        request.outputFile = output
        if dryRun { request.dryRun = .dropKV }
        let result = await runtime.run(request)
        await runtime.shutdown()
        return (result.outcome, transcript)
    }

    @Test func theGrantedFilesAreReadAndWritten() async throws {
        let input = folder.appendingPathComponent("receipts.csv")
        try Data("order,awb\r\n1,JNE1\n\n2,JNE2".utf8).write(to: input)
        let output = folder.appendingPathComponent("report.txt")
        try Data("an old report that is longer than the new one".utf8).write(to: output)
        let (outcome, _) = await run("""
            local lines = {}
            for line in input.lines() do lines[#lines + 1] = "[" .. line .. "]" end
            output.write("rows ", #lines, "\\n")
            output.write(table.concat(lines, ","), "\\n", 1.5)
            return #input.text()
            """, input: input, output: output)
        guard case .ok(let values) = outcome else { Issue.record("\(outcome)"); return }
        #expect(values == [.integer(25)])
        #expect(try String(contentsOf: output, encoding: .utf8) == "rows 4\n[order,awb],[1,JNE1],[],[2,JNE2]\n1.5")
    }

    @Test func aRunThatNeverWritesLeavesTheFileAsItWasAndTheBoundIsKept() async throws {
        let output = folder.appendingPathComponent("kept.txt")
        try Data("kept".utf8).write(to: output)
        let (quiet, _) = await run("return 1", output: output)
        guard case .ok = quiet else { Issue.record("\(quiet)"); return }
        #expect(try String(contentsOf: output, encoding: .utf8) == "kept")
        let (bounded, _) = await run("""
            output.write("12345")
            local ok, err = pcall(output.write, "678901")
            output.write("678")
            return ok, tostring(err)
            """, output: output, maxOutput: 8)
        guard case .ok(let values) = bounded else { Issue.record("\(bounded)"); return }
        #expect(values.first == false)
        #expect(values.last?.stringValue?.contains("files.lua:2: output.write: kept.txt would pass the 8 bytes a run may write") == true, "\(values)")
        #expect(try String(contentsOf: output, encoding: .utf8) == "12345678")
    }

    @Test func aDryRunWritesNothingAndReportsWhatItWouldWrite() async throws {
        let output = folder.appendingPathComponent("dry.csv")
        let (outcome, transcript) = await run("output.write('a,b\\n1,2\\n') output.write(string.rep('x', 700))", output: output, dryRun: true)
        guard case .ok = outcome else { Issue.record("\(outcome)"); return }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let notices = transcript.records.map(\.text).filter { $0.hasPrefix("dry run: output.write") }
        #expect(notices.count == 2)
        #expect(notices.first?.contains("of 8 bytes to dry.csv (not written): \"a,b\\n1,2\\n\"") == true, "\(notices)")
        #expect(notices.last?.contains(String(repeating: "x", count: 600) + "…") == true)
        #expect(notices.last?.contains(String(repeating: "x", count: 601)) == false)
    }

    @Test func withoutAGrantTheScriptIsToldHowAtItsLine() async throws {
        let (reading, _) = await run("local x = 1\nreturn input.text()")
        guard case .failed(let error) = reading else { Issue.record("\(reading)"); return }
        #expect(error.message.hasPrefix("files.lua:2: input is not available: run with --input FILE"), "\(error.message)")
        let (writing, _) = await run("output.write('x')")
        guard case .failed(let writeError) = writing else { Issue.record("\(writing)"); return }
        #expect(writeError.message.hasPrefix("files.lua:1: output is not available: run with --output FILE"), "\(writeError.message)")
    }

    @Test func lunasRunGrantsExactlyTheFilesItIsGiven() async throws {
        let input = folder.appendingPathComponent("in.txt")
        try Data("one\ntwo\n".utf8).write(to: input)
        let output = folder.appendingPathComponent("out.txt")
        let script = try LunasProcess.script("""
            local n = 0
            for line in input.lines() do n = n + 1 output.write(line:upper(), "\\n") end
            print(n, io == nil)
            """)
        let ran = try await LunasProcess.run(["run", script, "--input", input.path, "--output", output.path])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "2\ttrue\n")
        #expect(try String(contentsOf: output, encoding: .utf8) == "ONE\nTWO\n")

        try FileManager.default.removeItem(at: output)
        let dry = try await LunasProcess.run(["run", script, "--input", input.path, "--output", output.path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: output.write of 4 bytes to out.txt (not written): \"ONE\\n\""), "\(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))

        let missing = try await LunasProcess.run(["run", script])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains(":2: input is not available: run with --input FILE"), "\(missing.stderr)")
        let absent = try await LunasProcess.run(["run", script, "--input", folder.appendingPathComponent("none.txt").path])
        #expect(absent.status == 2 && absent.stderr.contains("none.txt: no such file"), "\(absent.stderr)")
        let same = try await LunasProcess.run(["run", script, "--input", input.path, "--output", input.path])
        #expect(same.status != 0 && same.stderr.contains("--input and --output name the same file"), "\(same.stderr)")
        let nowhere = try await LunasProcess.run(["run", script, "--input", input.path, "--output", folder.appendingPathComponent("no/such/out.txt").path])
        #expect(nowhere.status == 2 && nowhere.stderr.contains("its folder does not exist"), "\(nowhere.stderr)")
    }

    @Test func lunasRunGivesTheScriptItsConfigFromLunasToml() async throws {
        let scripts = folder.appendingPathComponent("scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        let script = scripts.appendingPathComponent("report.lua")
        try Data("print(config.channel, config.limits.rows)".utf8).write(to: script)
        let toml = folder.appendingPathComponent("lunas.toml")
        try Data("""
            scripts_folder = "\(scripts.path)"
            [scripts.report.config]
            channel = "#sales"
            limits = { rows = 50 }
            """.utf8).write(to: toml)
        let ran = try await LunasProcess.run(["run", script.path, "--config", toml.path])
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout == "#sales\t50\n")
    }

    @Test func lunasCheckKnowsTheToolkitsGlobalsAndTheirFields() async throws {
        let file = try LunasProcess.script("""
            sleep(deadline_remaining() or 1)
            local r = http.post(config.webhook, { json = {} })
            for line in input.lines() do output.write(line, input.text()) end
            http.gett("x")
            output.writ("y")
            """)
        let outcome = try await LunasProcess.run(["check", file])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == """
            \(file):4: warning: 'http.gett' does not exist (did you mean 'http.get'?)
            \(file):5: warning: 'output.writ' does not exist (did you mean 'output.write'?)

            """, "\(outcome.stderr)")
    }
}
