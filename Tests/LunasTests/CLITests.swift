import Foundation
import LunasRuntime
import LunasTesting
import ScalevModel
import Testing

/// Runs the built `lunas` binary and collects what it printed.
struct LunasProcess {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: URL {
        let buildFolder = packageRoot.appendingPathComponent(".build/debug/lunas")
        return buildFolder
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `lunas arguments...` in the package root; `interruptWhen` sends SIGINT once stdout
    /// contains the given text.
    static func run(_ arguments: [String], interruptWhen marker: String? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let finished = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        // stderr is drained meanwhile (on a thread of its own, not the tasks' pool): a child
        // that fills one pipe while the other is read would wait for ever
        let errorText = Task { await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: err.fileHandleForReading.readDataToEndOfFile()) }
        } }
        var collected = Data()
        if let marker {
            while true {
                let chunk = out.fileHandleForReading.availableData // blocks until data or end of file
                if chunk.isEmpty { break }
                collected.append(chunk)
                if String(decoding: collected, as: UTF8.self).contains(marker) { break }
            }
            process.interrupt()
        }
        let stdout = collected + out.fileHandleForReading.readDataToEndOfFile()
        let stderr = await errorText.value
        var status: Int32 = -1
        for await s in finished { status = s }
        return Outcome(status: status, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Writes a script to a temporary file and returns its path.
    static func script(_ source: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-cli-\(UUID().uuidString).lua")
        try source.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

@Suite("lunas run and lunas check")
struct CLITests {
    @Test("a script runs: print to stdout, arguments in arg and ..., exit 0")
    func success() async throws {
        let file = try LunasProcess.script("print('args', arg[1], arg[2], select('#', ...), arg[0] ~= nil)")
        let outcome = try await LunasProcess.run(["run", file, "--", "a", "b c"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "args\ta\tb c\t2\ttrue\n")
    }

    @Test("the demo script runs end to end")
    func demo() async throws {
        let outcome = try await LunasProcess.run(["run", "scripts/order_report.lua"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("Orders: 60"))
        #expect(outcome.stderr.contains("would tag vip"))
    }

    @Test("a script error exits 1 with FILE:LINE: message and a traceback")
    func scriptError() async throws {
        let file = try LunasProcess.script("local x = 1\nlocal function f() error('boom') end\nf()")
        let outcome = try await LunasProcess.run(["run", file])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("\(file):2: boom"))
        #expect(outcome.stderr.contains("stack traceback"))
    }

    @Test("a usage error exits 2 with what to fix")
    func usageError() async throws {
        let missing = try await LunasProcess.run(["run", "/nonexistent/script.lua"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read /nonexistent/script.lua"))
        let file = try LunasProcess.script("print(1)")
        let badTimeout = try await LunasProcess.run(["run", file, "--timeout", "0"])
        #expect(badTimeout.status == 2)
        #expect(badTimeout.stderr.contains("--timeout must be a positive number"))
    }

    @Test("limits exit 3 and name the limit")
    func limits() async throws {
        let loop = try LunasProcess.script("while true do end")
        let deadline = try await LunasProcess.run(["run", loop, "--timeout", "0.2"])
        #expect(deadline.status == 3)
        #expect(deadline.stderr.contains("deadline of 200 ms exceeded"))
        let hog = try LunasProcess.script("local t = {} while true do t[#t + 1] = ('x'):rep(100) .. #t end")
        let memory = try await LunasProcess.run(["run", hog, "--memory", "16"])
        #expect(memory.status == 3)
        #expect(memory.stderr.contains("memory limit of 16 MiB exceeded"))
    }

    @Test("deadline and memory errors name the script's line that was running")
    func limitsNameTheLine() async throws {
        let loop = try LunasProcess.script("local n = 0\nlocal function spin()\n  while true do n = n + 1 end\nend\nspin()")
        let deadline = try await LunasProcess.run(["run", loop, "--timeout", "0.2"])
        #expect(deadline.status == 3)
        #expect(deadline.stderr.contains("deadline of 200 ms exceeded at \(loop):3"), "\(deadline.stderr)")
        let hog = try LunasProcess.script("local t = {}\nwhile true do\n  t[#t + 1] = ('x'):rep(100) .. #t\nend")
        let memory = try await LunasProcess.run(["run", hog, "--memory", "16"])
        #expect(memory.status == 3)
        #expect(memory.stderr.contains("memory limit of 16 MiB exceeded at \(hog):3"), "\(memory.stderr)")
    }

    @Test("a traceback shows the script's frames, not the host's wrappers (lunas.kv) nor the C functions they call")
    func tracebackShowsTheScriptsFrames() async throws {
        let file = try LunasProcess.script("local function save()\n  kv.set('key', nil)\nend\nsave()")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-cli-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: store) }
        let outcome = try await LunasProcess.run(["run", file, "--store", store, "--ns", "traceback"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("\(file):2: kv.set: value cannot be nil"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\(file):2: in local 'save'") && outcome.stderr.contains("\(file):4: in main chunk"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("lunas.kv") && !outcome.stderr.contains("[C]: in function 'error'"), "\(outcome.stderr)")
    }

    @Test("print output is redacted and capped at 16 MiB with one notice; the uncaught error's report is redacted")
    func printIsRedactedAndCapped() async throws {
        let key = "sk_test_0123456789abcdef"
        let file = try LunasProcess.script("print('the key is ' .. arg[1])\nlog.info('logged ' .. arg[1])\nerror('failed with ' .. arg[1])")
        let folder = FileManager.default.temporaryDirectory
        let redacted = try await LunasBinary.run(["run", file, "--", key], in: folder, environment: ["SCALEV_API_KEY": key, "SCALEV_BASE_URL": "http://127.0.0.1:9"])
        #expect(redacted.status == 1)
        #expect(redacted.out == "the key is [REDACTED]\n", "\(redacted.out)")
        #expect(redacted.err.contains("logged [REDACTED]") && redacted.err.contains("failed with [REDACTED]"), "\(redacted.err)")
        #expect(!redacted.out.contains(key) && !redacted.err.contains(key), "\(redacted.err)")

        let flood = try LunasProcess.script("local line = ('x'):rep(1023)\nfor _ = 1, 17 * 1024 do print(line) end\nlog.warn('still running')")
        let capped = try await LunasBinary.run(["run", flood], in: folder)
        #expect(capped.status == 0, "\(capped.err)")
        #expect(capped.out.utf8.count == 16 << 20)
        #expect(capped.err.components(separatedBy: "print limit of 16777216 bytes reached").count == 2, "\(capped.err)")
        #expect(capped.err.contains("still running"), "log lines have their own budget: \(capped.err)")
    }

    @Test("the progress line is cleared before the script prints to the same terminal",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func progressLineIsCleared() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "local n = 0\nfor _ in scalev.orders.each {} do\n  n = n + 1\n  if n == 150 then print('halfway') end\nend\n"
            .write(to: folder.appendingPathComponent("walk.lua"), atomically: true, encoding: .utf8)
        let command = "'\(LunasBinary.url.path)' run --sandbox --no-budget walk.lua"
        let outcome = try await LunasBinary.run(["-qec", command, "/dev/null"], in: folder, executable: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(outcome.status == 0, "\(outcome.out)")
        #expect(outcome.out.contains("\rorders: 25"), "a progress line was drawn: \(outcome.out.debugDescription)")
        #expect(outcome.out.contains("\r\u{1B}[Khalfway"), "\(outcome.out.debugDescription)")
    }

    @Test("Ctrl-C stops the run cleanly with 130")
    func interrupt() async throws {
        let file = try LunasProcess.script("print('started') while true do end")
        let outcome = try await LunasProcess.run(["run", file], interruptWhen: "started")
        #expect(outcome.status == 130)
        #expect(outcome.stderr.contains("interrupted"))
    }

    @Test("check reports every syntax error as FILE:LINE and exits 1")
    func checkSyntax() async throws {
        let good = try LunasProcess.script("local x = 1 print(x)")
        let bad = try LunasProcess.script("local x = 1\nlocal y = = 2\n")
        let outcome = try await LunasProcess.run(["check", good, bad])
        #expect(outcome.status == 1)
        #expect(outcome.stderr == "\(bad):2: unexpected symbol near '='\n")
    }

    @Test("check warns on undefined globals, with a suggestion, and exits 0")
    func checkGlobals() async throws {
        let file = try LunasProcess.script("counter = 0\nlocal function f()\n  prnt(counter)\n  return json.encode({})\nend\n")
        let outcome = try await LunasProcess.run(["check", file])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "\(file):3: warning: undefined global 'prnt' (did you mean 'print'?)\n")
    }

    @Test("check knows the scalev module's fields and suggests near names two edits away")
    func checkFields() async throws {
        let file = try LunasProcess.script("""
            for order in scalev.order.each() do end
            local each = scalev.orders.eachh
            local ok = scalev.orders.each and scalev.with and scalev.customer.subscriptions.list
            pritn(jsno.encode({}))
            """)
        let outcome = try await LunasProcess.run(["check", file])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == """
            \(file):1: warning: 'scalev.order' does not exist (did you mean 'scalev.orders'?)
            \(file):2: warning: 'scalev.orders.eachh' does not exist (did you mean 'scalev.orders.each'?)
            \(file):4: warning: undefined global 'pritn' (did you mean 'print'?)
            \(file):4: warning: undefined global 'jsno' (did you mean 'json'?)

            """, "\(outcome.stderr)")
    }

    @Test("check reads kv's fields off the module, and a host checks its rules against its own modules")
    func checkKVAndHostModules() async throws {
        let file = try LunasProcess.script("""
            local runs = kv.incr("runs")
            local last = kv.gett("last")
            local vip = kv.shared("vip").get("x")
            """)
        let outcome = try await LunasProcess.run(["check", file])
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "\(file):2: warning: 'kv.gett' does not exist (did you mean 'kv.get'?)\n", "\(outcome.stderr)")
        let globals = ScriptGlobals(profile: .sandboxed, modules: [HostModule("cart").constant("currency", "IDR").function("total") { _ in [] }])
        let state = try LuaState()
        let chunk = try state.compile("return cart.totl(), cart.currency, crat", name: "=rule")
        #expect(globals.unknownFields(in: chunk).map(\.path) == ["cart.totl"])
        #expect(globals.unknownFields(in: chunk).map(\.suggestion) == ["cart.total"])
        #expect(globals.undefinedReads(in: chunk).map(\.access.name) == ["crat"])
    }

    @Test("the host's own Lua modules pass lunas check with no warning")
    func hostModulesCheck() async throws {
        let folder = LunasProcess.packageRoot.appendingPathComponent("Sources/LunasRuntime/Lua")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }.sorted()
        #expect(files == ["config.lua", "files.lua", "http.lua", "kv.lua", "scalev.lua"])
        let outcome = try await LunasProcess.run(["check"] + files.map { folder.appendingPathComponent($0).path })
        #expect(outcome.status == 0)
        #expect(outcome.stderr == "")
    }

    @Test("lunas sandbox on a port in use says so and exits 2, every time, without a crash")
    func sandboxPortInUse() async throws {
        try await SandboxHarness.with(clock: .running) { holder in
            let port = holder.sandbox.port
            for _ in 0..<20 {
                let outcome = try await LunasProcess.run(["sandbox", "--port", String(port)])
                #expect(outcome.status == 2)
                #expect(outcome.stderr == "lunas sandbox: port \(port) is in use; pick another or use --port 0\n")
            }
        }
    }

    @Test("lunas sandbox --json prints its connection details as one JSON object first")
    func sandboxJSON() async throws {
        let outcome = try await LunasProcess.run(["sandbox", "--port", "0", "--json"], interruptWhen: "\n")
        let firstLine = try #require(outcome.stdout.split(separator: "\n").first)
        let details = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
        for key in ["base_url", "business_key", "restricted_key", "storefront_key", "store_unique_id",
                    "customer_email", "customer_password", "webhook_secret"] {
            #expect(details[key] is String, "missing \(key)")
        }
        #expect((details["business_key"] as? String)?.hasPrefix("sk_") == true)
        #expect((details["restricted_key"] as? String)?.hasPrefix("rk_") == true)
        #expect((details["base_url"] as? String)?.hasPrefix("http://127.0.0.1:") == true)
    }

    @Test("--version and help")
    func versionAndHelp() async throws {
        let version = try await LunasProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("Lua 5.4"))
        let help = try await LunasProcess.run(["help"])
        #expect(help.stdout.contains("lunas run scripts/order_report.lua"))
    }

    @Test("the OAuth flow is `lunas auth oauth`, as its help and the README say")
    func theOAuthCommandIsNamedAsDocumented() async throws {
        let help = try await LunasProcess.run(["auth", "oauth", "--help"])
        #expect(help.status == 0 && help.stdout.contains("OAuth installation"), "\(help.stderr)")
    }
}
