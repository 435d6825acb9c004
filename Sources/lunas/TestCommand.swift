import ArgumentParser
import AsyncHTTPClient
import Foundation
import LunasRuntime
import ScalevSandbox

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run *_spec.lua files (written with require \"lunas.test\") against a local sandbox.",
        discussion: """
            Each spec file runs against a fresh in-process Scalev sandbox (seeded data, no rate
            limits, its clock frozen until the spec moves it) and a fresh temporary store, with the
            sandbox's credentials and the kv namespace of the script it tests (tag_vip_spec.lua:
            tag_vip). A folder is searched recursively (hidden folders and .build skipped); with no
            PATH, the working directory.

            Exit codes: 0 every test passed, 1 a test or a spec file failed, 2 no spec file found
            (or --filter selected no test), or a usage error.
            """)

    @Argument(help: "Spec files, or folders to search for *_spec.lua (default: the working directory).")
    var paths: [String] = []

    @Flag(help: "Write TAP version 13 instead of the readable report.")
    var tap = false

    @Option(help: "Run only the tests whose full name (\"describe › it\") contains this text, or matches it as a Lua pattern.")
    var filter: String?

    @Option(help: "End a spec file after this many seconds (default 120).")
    var timeout: Double = 120

    @Option(help: "The sandbox's data seed (default 1).")
    var seed: UInt64 = 1

    @Option(help: "The configuration file (default: lunas.toml when present): its time_zone and script settings apply.")
    var config: String?

    func validate() throws {
        if LuaLimits.deadline(seconds: timeout) == nil {
            throw ValidationError("--timeout must be a positive number of seconds, at most \(Int(LuaLimits.maxDeadlineSeconds)), not \(timeout)")
        }
    }

    func run() async throws {
        let files: [String]
        do {
            files = try SpecFiles.find(paths)
        } catch {
            FileHandle.standardError.write(Data("lunas test: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard !files.isEmpty else {
            let place = paths.isEmpty ? "the working directory" : paths.joined(separator: ", ")
            FileHandle.standardError.write(Data("lunas test: no spec found: no *_spec.lua file under \(place)\n".utf8))
            throw ExitCode(2)
        }
        let report = SpecReporter(tap: tap)
        report.begin()
        let started = ContinuousClock.now
        var reports: [SpecFileReport] = []
        for file in files {
            report.file(file)
            let fileReport: SpecFileReport
            do {
                fileReport = try await runSpec(file, reporter: report)
            } catch {
                fileReport = SpecFileReport(file: file, error: SpecFailure(message: "could not start the spec: \(error)"))
            }
            report.finished(fileReport)
            reports.append(fileReport)
        }
        let summary = report.end(reports, duration: ContinuousClock.now - started)
        if summary.failed > 0 { throw ExitCode(1) }
        if let filter, summary.total == 0 {
            FileHandle.standardError.write(Data("lunas test: no test matches --filter '\(filter)'\n".utf8))
            throw ExitCode(2)
        }
    }

    /// One spec file against its own sandbox and store, both gone afterwards.
    private func runSpec(_ file: String, reporter: SpecReporter) async throws -> SpecFileReport {
        let files = FileManager.default
        let folder = files.temporaryDirectory.appendingPathComponent("lunas-test-\(UUID().uuidString)")
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? files.removeItem(at: folder) }
        let configuration = try RuntimeConfiguration.load(
            file: config, stdlibFolder: StdlibFolder.path, workingDirectory: files.currentDirectoryPath, environment: [:],
            storeFlag: folder.appendingPathComponent("spec.db").path)
        var sandboxConfiguration = SandboxConfiguration(seed: seed, rateLimitingEnabled: false)
        sandboxConfiguration.frozenClock = true
        let sandbox = try await ScalevSandbox.start(sandboxConfiguration)
        let resetURL = sandbox.baseURL + "/_sandbox/reset"
        let spec = SpecSandbox(
            account: SandboxAccount(sandbox), now: { sandbox.clock.now }, advance: { sandbox.clock.advance(by: $0) },
            reset: {
                var request = HTTPClientRequest(url: resetURL)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(Array("{}".utf8))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 1 << 20)
                guard response.status.code == 200 else {
                    throw ValidationFailure("the sandbox refused a reset (\(response.status.code)): \(String(buffer: body))")
                }
            })
        var run = SpecRun(file: file, configuration: configuration, sandbox: spec, filter: filter, output: reporter.scriptOutput,
                          onTest: { reporter.test($0) })
        run.limits.deadline = LuaLimits.deadline(seconds: timeout)
        let result = await run.run()
        try? await sandbox.stop()
        return result
    }
}

/// The spec files that paths name: a file as given, a folder's `*_spec.lua` files found
/// recursively (hidden folders and `.build` skipped), each once, a folder's in path order.
enum SpecFiles {
    static func find(_ paths: [String]) throws -> [String] {
        let files = FileManager.default
        var found: [String] = []
        var seen = Set<String>()
        func add(_ path: String) {
            let key = URL(fileURLWithPath: path).standardizedFileURL.path
            if seen.insert(key).inserted { found.append(path) }
        }
        for path in paths.isEmpty ? ["."] : paths {
            var isFolder: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationFailure("no such file or folder: \(path)")
            }
            guard isFolder.boolValue else {
                add(path)
                continue
            }
            var inFolder: [String] = []
            let root = URL(fileURLWithPath: path)
            guard let walker = files.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]) else { continue }
            let rootPath = root.standardizedFileURL.path
            for case let url as URL in walker {
                let isDirectory = (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
                if isDirectory {
                    if url.lastPathComponent == ".build" || url.lastPathComponent.hasPrefix(".") { walker.skipDescendants() }
                    continue
                }
                guard url.lastPathComponent.hasSuffix("_spec.lua") else { continue }
                let full = url.standardizedFileURL.path
                let relative = full.hasPrefix(rootPath + "/") ? String(full.dropFirst(rootPath.count + 1)) : full
                inFolder.append(path == "." ? relative : (path.hasSuffix("/") ? path + relative : path + "/" + relative))
            }
            for file in inFolder.sorted() { add(file) }
        }
        return found
    }
}
