import Foundation
import Testing

/// `lunas test`, `lunas.test` and `lunas new`, through the built binary in folders of their own.
@Suite("lunas test: the spec runner")
struct SpecRunnerTests {
    /// A fresh folder holding `files` (path: text).
    static func folder(_ files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-spec-\(UUID().uuidString)")
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return folder
    }

    static let environment = ["LUNAS_STDLIB": LunasBinary.packageRoot.appendingPathComponent("stdlib").path]

    static func lunas(_ arguments: [String], in folder: URL) async throws -> (status: Int32, out: String, err: String) {
        try await LunasBinary.run(arguments, in: folder, environment: environment)
    }

    static let passing = """
        local t = require "lunas.test"
        local describe, it, expect = t.describe, t.it, t.expect
        describe("cart", function()
          local items
          t.before_each(function() items = { "tea" } end)
          it("starts with tea", function() expect(items).to_contain("tea") end)
          it("adds cups", function()
            items[#items + 1] = "cup"
            expect(#items).to_be(2)
          end)
        end)
        """

    @Test("every test passes: each ✓, a summary line, exit 0")
    func passes() async throws {
        let folder = try Self.folder(["specs/cart_spec.lua": Self.passing, "specs/notes.lua": "error('not a spec')"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test"], in: folder)
        #expect(outcome.status == 0, "\(outcome.out)\(outcome.err)")
        #expect(outcome.out.contains("specs/cart_spec.lua\n"))
        #expect(outcome.out.contains("  \u{2713} cart \u{203A} starts with tea"))
        #expect(outcome.out.contains("  \u{2713} cart \u{203A} adds cups"))
        #expect(outcome.out.contains("2 passed, 0 failed (1 spec file, "))
    }

    static let failing = """
        local t = require "lunas.test"
        local expect = t.expect
        t.describe("totals", function()
          t.it("match", function()
            local got = { sum = 3, lines = { "a", "b" } }
            expect(got).to_equal({ sum = 4, lines = { "a", "b" } })
          end)
          t.it("passes", function() expect(true).to_be_truthy() end)
          t.it("breaks", function()
            local order = nil
            return order.id
          end)
        end)
        """

    @Test("a failing expectation names the spec's file:line and both values; exit 1")
    func failure() async throws {
        let folder = try Self.folder(["totals_spec.lua": Self.failing])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test", "totals_spec.lua"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.out.contains("  \u{2717} totals \u{203A} match\n"), "\(outcome.out)")
        #expect(outcome.out.contains(#"totals_spec.lua:6: expected { lines = { "a", "b" }, sum = 3 } to equal { lines = { "a", "b" }, sum = 4 }"#), "\(outcome.out)")
        #expect(outcome.out.contains(#"expected: { lines = { "a", "b" }, sum = 4 }"#))
        #expect(outcome.out.contains(#"actual:   { lines = { "a", "b" }, sum = 3 }"#))
        #expect(outcome.out.contains("  \u{2713} totals \u{203A} passes"))
        #expect(outcome.out.contains("totals_spec.lua:11: attempt to index a nil value (local 'order')"), "\(outcome.out)")
        #expect(outcome.out.contains("1 passed, 2 failed"))
    }

    @Test("an error outside every it fails the file at its line")
    func errorOutsideTests() async throws {
        let folder = try Self.folder(["broken_spec.lua": """
            local t = require "lunas.test"
            t.describe("first", function() t.it("runs", function() end) end)
            t.describe("second", function()
              local settings = nil
              t.it("never runs", function() end)
              print(settings.threshold)
            end)
            """])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.out.contains("  \u{2713} first \u{203A} runs"))
        #expect(!outcome.out.contains("never runs"))
        #expect(outcome.out.contains("  \u{2717} error outside a test\n      broken_spec.lua:6: attempt to index a nil value (local 'settings')"), "\(outcome.out)")
        #expect(outcome.out.contains("1 passed, 1 failed"))
    }

    @Test("no spec found: exit 2 with a message; a missing path too")
    func noSpec() async throws {
        let folder = try Self.folder(["script.lua": "print(1)", ".hidden/x_spec.lua": Self.passing])
        defer { try? FileManager.default.removeItem(at: folder) }
        let none = try await Self.lunas(["test"], in: folder)
        #expect(none.status == 2)
        #expect(none.err.contains("no spec found: no *_spec.lua file under the working directory"), "\(none.err)")
        let missing = try await Self.lunas(["test", "nowhere"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.err.contains("no such file or folder: nowhere"))
    }

    @Test("--tap writes TAP version 13: a plan, ok / not ok, a YAML block per failure")
    func tap() async throws {
        let folder = try Self.folder(["totals_spec.lua": Self.failing])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test", "--tap"], in: folder)
        #expect(outcome.status == 1)
        let lines = outcome.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "TAP version 13")
        #expect(lines.contains("not ok 1 - totals \u{203A} match"))
        #expect(lines.contains("ok 2 - totals \u{203A} passes"))
        #expect(lines.contains("not ok 3 - totals \u{203A} breaks"))
        #expect(lines.contains("  at: \"totals_spec.lua:6\""))
        #expect(lines.contains(#"  expected: "{ lines = { \"a\", \"b\" }, sum = 4 }""#), "\(outcome.out)")
        #expect(lines.contains("1..3"))
        #expect(lines.contains("# fail 2"))
        // nothing else: every line is TAP (version, test lines, YAML blocks, comments, plan)
        for line in lines where !line.isEmpty {
            #expect(line.hasPrefix("TAP ") || line.hasPrefix("ok ") || line.hasPrefix("not ok ") || line.hasPrefix("  ")
                    || line.hasPrefix("# ") || line.hasPrefix("1.."), "not TAP: \(line)")
        }
    }

    @Test("--filter runs the tests whose full name matches; none matching is exit 2")
    func filter() async throws {
        let folder = try Self.folder(["totals_spec.lua": Self.failing, "cart_spec.lua": Self.passing])
        defer { try? FileManager.default.removeItem(at: folder) }
        let one = try await Self.lunas(["test", "--filter", "totals \u{203A} pass"], in: folder)
        #expect(one.status == 0, "\(one.out)")
        #expect(one.out.contains("\u{2713} totals \u{203A} passes"))
        #expect(!one.out.contains("match") && !one.out.contains("cart \u{203A}"))
        #expect(one.out.contains("1 passed, 0 failed (2 spec files"))
        let pattern = try await Self.lunas(["test", "--filter", "^cart .* tea$"], in: folder)
        #expect(pattern.status == 0)
        #expect(pattern.out.contains("1 passed, 0 failed"), "\(pattern.out)")
        let none = try await Self.lunas(["test", "--filter", "no such test"], in: folder)
        #expect(none.status == 2)
        #expect(none.err.contains("no test matches --filter 'no such test'"))
    }

    static let followUp = """
        on("order.created", function(event)
          kv.set("seen:" .. event.data.id, os.time())
          after("2h", "remind", { order = event.data.id })
        end)
        job("remind", function(args)
          scalev.orders.add_tags(args.order, { "reminded" })
          kv.set("reminded:" .. args.order, os.time())
        end)
        cron("0 9 * * *", function(fire)
          kv.set("morning", fire.scheduled_epoch)
        end, { name = "morning" })
        """

    static let followUpSpec = """
        local t = require "lunas.test"
        local describe, it, expect = t.describe, t.it, t.expect
        describe("follow up", function()
          t.before_each(function()
            t.rules.clear()
            t.rules.load("follow_up.lua")
          end)
          it("sets a durable timer that runs when the clock passes it", function()
            local order = t.sandbox.order()
            local start = os.time()
            local runs = t.rules.emit("order.created", order)
            expect(#runs).to_be(1)
            expect(runs[1].timers).to_be(1)
            expect(kv.get("seen:" .. order.id)).to_be(start)
            local timers = t.rules.timers()
            expect(#timers).to_be(1)
            expect(timers[1].epoch).to_be(start + 7200)
            expect(t.rules.advance("1h")).to_equal({})
            expect(kv.get("reminded:" .. order.id)).to_be_nil()
            local ran = t.rules.advance("90m")
            expect(#ran).to_be(1)
            expect(ran[1].rule).to_be("follow_up:job:remind")
            expect(kv.get("reminded:" .. order.id)).to_be(start + 7200)
            expect(scalev.orders.get(order.id).tags).to_contain("reminded")
            expect(os.time()).to_be(start + 9000)
            expect(#t.rules.timers()).to_be(0)
          end)
          it("fires a schedule by name, at the clock's time", function()
            t.rules.fire("morning")
            expect(kv.get("morning")).to_be(os.time())
            expect(function() t.rules.fire("mornin") end).to_error("did you mean 'morning'")
          end)
          it("names the rule that failed", function()
            expect(function() t.rules.emit("order.created", { id = "no_such_order" }) end).never.to_error()
            expect(function() t.rules.advance("2h") end).to_error("t.rules.advance: follow_up:job:remind failed: ")
          end)
        end)
        """

    @Test("rules: emit runs the on handler, advance runs its durable timer when due, fire runs a schedule")
    func rules() async throws {
        let folder = try Self.folder(["follow_up.lua": Self.followUp, "follow_up_spec.lua": Self.followUpSpec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test"], in: folder)
        #expect(outcome.status == 0, "\(outcome.out)\(outcome.err)")
        #expect(outcome.out.contains("3 passed, 0 failed"), "\(outcome.out)")
    }

    @Test("a timer not yet due has not run: the spec that expects otherwise fails")
    func timerNotDue() async throws {
        let spec = """
            local t = require "lunas.test"
            t.it("expects the reminder too early", function()
              t.rules.load("follow_up.lua")
              local order = t.sandbox.order()
              t.rules.emit("order.created", order)
              t.rules.advance("119m")
              t.expect(kv.get("reminded:" .. order.id)).to_be_truthy()
            end)
            """
        let folder = try Self.folder(["follow_up.lua": Self.followUp, "early_spec.lua": spec])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try await Self.lunas(["test"], in: folder)
        #expect(outcome.status == 1)
        #expect(outcome.out.contains("early_spec.lua:7: expected nil to be truthy"), "\(outcome.out)")
    }

    @Test("lunas new writes a script and a spec that pass lunas test and lunas check, and refuses to overwrite", arguments: ["rule", "report"])
    func new(template: String) async throws {
        let folder = try Self.folder([:])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try await Self.lunas(["new", "shop_\(template)", "--template", template], in: folder)
        #expect(made.status == 0, "\(made.err)")
        for file in ["shop_\(template).lua", "shop_\(template)_spec.lua", ".luarc.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
        let luarc = try String(contentsOf: folder.appendingPathComponent(".luarc.json"), encoding: .utf8)
        let settings = try JSONSerialization.jsonObject(with: Data(luarc.utf8)) as? [String: Any]
        let library = settings?["workspace.library"] as? [String] ?? []
        #expect(library.contains { $0.hasSuffix("/types") && FileManager.default.fileExists(atPath: $0 + "/lunas.lua") }, "\(library)")
        let tested = try await Self.lunas(["test"], in: folder)
        #expect(tested.status == 0, "\(tested.out)\(tested.err)")
        #expect(tested.out.contains("2 passed, 0 failed"), "\(tested.out)")
        let checked = try await Self.lunas(["check", "shop_\(template).lua", "shop_\(template)_spec.lua"], in: folder)
        #expect(checked.status == 0)
        #expect(checked.err.isEmpty, "\(checked.err)")
        let again = try await Self.lunas(["new", "shop_\(template)"], in: folder)
        #expect(again.status == 2)
        #expect(again.err.contains("already exist"))
    }

    @Test("every spec of the stdlib and of scripts/ passes under lunas test")
    func shippedSpecs() async throws {
        let root = LunasBinary.packageRoot
        var files: [String] = []
        let stdlibSpecs = root.appendingPathComponent("stdlib/spec")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: stdlibSpecs.path)) ?? [] where name.hasSuffix("_spec.lua") {
            files.append("stdlib/spec/" + name)
        }
        if let walker = FileManager.default.enumerator(atPath: root.appendingPathComponent("scripts").path) {
            for case let path as String in walker where path.hasSuffix("_spec.lua") { files.append("scripts/" + path) }
        }
        // lunas.test's own spec is always there: this test always runs something
        #expect(files.contains("stdlib/spec/test_spec.lua"))
        let outcome = try await LunasBinary.run(["test"] + files.sorted(), in: root, environment: Self.environment)
        #expect(outcome.status == 0, "\(outcome.out)\(outcome.err)")
        #expect(outcome.out.contains(" 0 failed (\(files.count) spec file"), "\(outcome.out)")
    }
}
