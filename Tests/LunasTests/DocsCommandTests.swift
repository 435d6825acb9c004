import Foundation
import Testing

/// The README's and the docs' commands run as written: every line starting with `lunas ` in a
/// ```sh block, in order, in one folder holding a copy of scripts/ and stdlib/ (so the sandbox runs see each
/// other's data, as a reader following the page would), each exiting 0. `lunas sandbox` serves
/// until it is interrupted. Blocks marked ```sh live need what a test does not have (a live key,
/// a database server, a person at the keyboard) and are skipped.
@Suite("the docs' commands", .timeLimit(.minutes(5)))
struct DocsCommandTests {
    struct Command: CustomStringConvertible {
        let file: String
        let line: Int
        let text: String
        var description: String { "\(file):\(line): \(text)" }
    }

    static var pages: [URL] {
        let root = LunasBinary.packageRoot
        let docs = root.appendingPathComponent("docs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return [root.appendingPathComponent("README.md")]
            + names.filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
    }

    /// The `lunas ` lines of the ```sh blocks of a page.
    static func commands(in page: URL) throws -> [Command] {
        let name = page.lastPathComponent
        var found: [Command] = [], inShell = false, inBlock = false
        for (index, line) in try String(contentsOf: page, encoding: .utf8).components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inShell = !inBlock && trimmed == "```sh"
                inBlock.toggle()
                continue
            }
            if inShell, trimmed.hasPrefix("lunas ") { found.append(Command(file: name, line: index + 1, text: trimmed)) }
        }
        return found
    }

    /// The text of the ```lua block after `heading` in a page.
    static func luaBlock(after heading: String, in page: URL) throws -> String? {
        let text = try String(contentsOf: page, encoding: .utf8)
        guard let section = text.range(of: heading), let start = text.range(of: "```lua\n", range: section.upperBound..<text.endIndex),
              let end = text.range(of: "\n```", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }

    static func workspace() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for part in ["scripts", "stdlib"] {
            try FileManager.default.copyItem(at: LunasBinary.packageRoot.appendingPathComponent(part), to: folder.appendingPathComponent(part))
        }
        return folder
    }

    /// PATH finds the built `lunas` first.
    static var environment: [String: String] {
        let path = LunasBinary.url.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return ["PATH": path]
    }

    @Test("every command of the README's and the docs' sh blocks runs as written and exits 0")
    func everyDocumentedCommandRuns() async throws {
        let commands = try Self.pages.flatMap { try Self.commands(in: $0) }
        #expect(commands.count >= 10, "\(commands)")
        #expect(commands.contains { $0.text.contains("--generate-completion-script") })
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in commands {
            let shell = ["-c", "exec " + command.text]
            let sh = URL(fileURLWithPath: "/bin/sh")
            if command.text.hasPrefix("lunas sandbox") {
                // serves until Ctrl-C: wait for its first line, then interrupt it
                let (process, out, err) = LunasBinary.process(shell, in: folder, environment: Self.environment, executable: sh)
                let finished = AsyncStream<Int32> { continuation in
                    process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
                }
                try process.run()
                let first = await LunasBinary.readLines(out.fileHandleForReading) { !$0.isEmpty }
                process.interrupt()
                var status: Int32 = -1
                for await s in finished { status = s }
                let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(status == 0 && !first.isEmpty, "\(command)\n\(errors)")
            } else {
                let outcome = try await LunasBinary.run(shell, in: folder, environment: Self.environment, executable: sh)
                #expect(outcome.status == 0, "\(command)\n\(outcome.err)")
            }
        }
    }

    @Test("the storefront example of docs/scalev-lua.md runs against the sandbox as sandbox-storefront")
    func storefrontExampleRuns() async throws {
        let page = LunasBinary.packageRoot.appendingPathComponent("docs/scalev-lua.md")
        let example = try #require(try Self.luaBlock(after: "### The storefront's argument shapes", in: page))
        let folder = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try (example + "\nprint(totals.gross_revenue ~= nil, order.secret_slug ~= nil, #sf.cart().items)\n")
            .write(to: folder.appendingPathComponent("storefront.lua"), atomically: true, encoding: .utf8)
        let outcome = try await LunasBinary.run(
            ["run", "--sandbox", "--credential", "sandbox-storefront", "storefront.lua"], in: folder, environment: Self.environment)
        #expect(outcome.status == 0, "\(outcome.err)")
        #expect(outcome.out == "true\ttrue\t0\n", "the checkout ordered the cart and emptied it: \(outcome.out) \(outcome.err)")
    }
}
