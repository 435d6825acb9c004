import Foundation
import LunasStore
import LunasTesting
import ScalevSandbox
import Testing

/// `lunas run --sandbox`, `--dry-run`, configured credentials and `lunas auth`, as processes in a
/// folder of their own (they write lunas.db, lunas-sandbox.db and lunas-sandbox.json there).
@Suite("lunas run with Scalev, and lunas auth", .testScope)
struct ScalevCLITests {
    static func run(_ arguments: [String], in folder: URL, environment: [String: String] = [:], input: String? = nil)
        async throws -> (status: Int32, out: String, err: String)
    {
        let (process, out, err) = LunasBinary.process(arguments, in: folder)
        var merged = process.environment ?? [:]
        for name in ["SCALEV_API_KEY", "SCALEV_BASE_URL", "LUNAS_VAULT_KEY", "LUNAS_BUDGET"] { merged.removeValue(forKey: name) }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        let stdin = Pipe()
        process.standardInput = stdin
        let finished = AsyncStream<Int32> { continuation in
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        }
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        async let o = LunasBinary.readAll(out.fileHandleForReading)
        async let e = LunasBinary.readAll(err.fileHandleForReading)
        let (stdout, stderr) = await (o, e)
        var status: Int32 = -1
        for await s in finished { status = s }
        return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-cli-scalev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static var demo: String { LunasBinary.packageRoot.appendingPathComponent("scripts/tag_vip_orders.lua").path }

    /// The demo copied into `folder`'s scripts folder, as a merchant has it (its kv namespace is
    /// its path there); returns the path to run it by.
    static func installDemo(in folder: URL) throws -> String {
        let scripts = folder.appendingPathComponent("scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: demo, toPath: scripts.appendingPathComponent("tag_vip_orders.lua").path)
        return "scripts/tag_vip_orders.lua"
    }

    @Test("the demo tags VIP orders in the sandbox; a second run finds them tagged; a dry run writes nothing")
    func demo() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = try Self.installDemo(in: folder)
        let dry = try await Self.run(["run", "--sandbox", "--dry-run", demo], in: folder)
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.err.contains("dry run: POST /v3/orders/") && dry.err.contains("/update-tags"), "\(dry.err)")
        #expect(!dry.err.contains("dry run: dry run:"), "\(dry.err)")
        #expect(dry.err.contains("dry run: kv.incr runs = 1 (not written)"), "\(dry.err)")
        #expect(dry.err.contains("dry run: kv.set last = {"), "\(dry.err)")
        let again = try await Self.run(["run", "--sandbox", "--dry-run", demo], in: folder)
        #expect(again.err.contains("dry run: kv.incr runs = 1 (not written)"), "two dry runs leave kv as it was: \(again.err)")
        #expect(dry.err.contains("a new sandbox (seed 1); its data is kept in lunas-sandbox.json"), "\(dry.err)")
        #expect(!again.err.contains("a new sandbox"), "\(again.err)")
        let runs = try await Self.run(["kv", "get", "--sandbox", "--ns", "tag_vip_orders", "runs"], in: folder)
        #expect(runs.status == 1, "no run has written kv yet: \(runs.out) \(runs.err)")
        let first = try await Self.run(["run", "--sandbox", demo], in: folder)
        #expect(first.status == 0, "\(first.err)")
        let tagged = try #require(first.out.firstMatch(of: /\((\d+) newly tagged, (\d+) already vip\)/))
        #expect(Int(tagged.1) ?? 0 > 0 && tagged.2 == "0", "\(first.out)")
        let second = try await Self.run(["run", "--sandbox", demo], in: folder)
        #expect(second.out.contains("(0 newly tagged, \(tagged.1) already vip)"), "\(second.out)")
        #expect(second.out.contains("Runs of this script:   2"), "\(second.out)")
        let reseeded = try await Self.run(["run", "--sandbox", "--seed", "2", demo], in: folder)
        #expect(reseeded.status == 2 && reseeded.err.contains("add --sandbox-reset"), "\(reseeded.err)")
        let reset = try await Self.run(["run", "--sandbox", "--sandbox-reset", demo], in: folder)
        #expect(reset.err.contains("a new sandbox (seed 1)"), "\(reset.err)")
        #expect(reset.out.contains("(\(tagged.1) newly tagged, 0 already vip)"), "fresh data again: \(reset.out)")
    }

    @Test("--anchor DATE seeds a new --sandbox history ending before that day; today's by default")
    func sandboxAnchor() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "local o = scalev.orders.list({ page_size = 1 }).data[1]\nprint(o.created_at:sub(1, 10))\n"
            .write(to: folder.appendingPathComponent("newest.lua"), atomically: true, encoding: .utf8)
        let pinned = try await Self.run(["run", "--sandbox", "--anchor", "2025-01-01", "newest.lua"], in: folder)
        #expect(pinned.status == 0 && pinned.out.hasPrefix("2024-12-"), "\(pinned.out) \(pinned.err)")
        let kept = try await Self.run(["run", "--sandbox", "--anchor", "2026-01-01", "newest.lua"], in: folder)
        #expect(kept.status == 2 && kept.err.contains("add --sandbox-reset"), "\(kept.err)")
        let today = try await Self.run(["run", "--sandbox", "--sandbox-reset", "newest.lua"], in: folder)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let now = Date()
        #expect(today.status == 0 && today.out < formatter.string(from: now) && today.out >= formatter.string(from: now - 8 * 86_400), "\(today.out) \(today.err)")
        #expect(try await Self.run(["run", "--sandbox", "--anchor", "1 Jan", "newest.lua"], in: folder).status == 2)
        #expect(try await Self.run(["run", "--anchor", "2025-01-01", "newest.lua"], in: folder).status == 2)
    }

    @Test("a refused connection fails within seconds, saying so, not after a long silence")
    func refusedConnection() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let closed = try await SandboxHarness.start(clock: .running)
        let port = closed.sandbox.port
        try await closed.stop()
        let script = folder.appendingPathComponent("list.lua")
        try "print(#scalev.orders.list().data)".write(to: script, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try await Self.run(
            ["run", script.path], in: folder, environment: ["SCALEV_API_KEY": "sk_refused", "SCALEV_BASE_URL": "http://127.0.0.1:\(port)"])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1)
        #expect(result.err.contains("connection refused"), "\(result.err)")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test("a configured key from the environment; errors name the script's line and hold no secret")
    func configuredCredential() async throws {
        let sandbox = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 30, rateLimitingEnabled: false), clock: .running)
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = sandbox.credentials.businessKey
        // in the scripts folder, where [scripts.lookup] names it
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try "print(#scalev.orders.list({ page_size = 3 }).data)\nscalev.orders.get('missing-order')\n"
            .write(to: folder.appendingPathComponent("scripts/lookup.lua"), atomically: true, encoding: .utf8)
        let viaEnvironment = try await Self.run(["run", "--verbose", "scripts/lookup.lua"], in: folder,
                                               environment: ["SCALEV_BASE_URL": sandbox.baseURL, "SCALEV_API_KEY": key])
        #expect(viaEnvironment.status == 1)
        #expect(viaEnvironment.out == "3\n")
        #expect(viaEnvironment.err.contains("lookup.lua:2: GET /v3/orders/missing-order -> 404"), "\(viaEnvironment.err)")
        #expect(viaEnvironment.err.contains("scalev → GET /v3/"), "--verbose traces requests")
        #expect(!viaEnvironment.err.contains("scalev: scalev"), "\(viaEnvironment.err)")
        #expect(!viaEnvironment.err.contains(key) && !viaEnvironment.out.contains(key))

        try """
            base_url = "\(sandbox.baseURL)"
            [credentials.main]
            kind = "api_key"
            secret_env = "MY_KEY"
            [scripts.lookup]
            grants = []
            """.write(to: folder.appendingPathComponent("lunas.toml"), atomically: true, encoding: .utf8)
        let missing = try await Self.run(["run", "scripts/lookup.lua"], in: folder, environment: ["MY_KEY": key])
        #expect(missing.status == 2 && missing.err.contains("lookup.lua:1:") && missing.err.contains("no Scalev credential"), "\(missing.err)")
        #expect(missing.out.isEmpty, "nothing ran: \(missing.out)")
        try "print(kv == nil)\n".write(to: folder.appendingPathComponent("scripts/plain.lua"), atomically: true, encoding: .utf8)
        let plain = try await Self.run(["run", "scripts/plain.lua"], in: folder, environment: ["MY_KEY": key])
        #expect(plain.status == 0 && plain.out == "false\n", "a script that never touches scalev runs: \(plain.err)")
        let notGranted = try await Self.run(["run", "--credential", "main", "scripts/lookup.lua"], in: folder, environment: ["MY_KEY": key])
        #expect(notGranted.status == 2 && notGranted.err.contains("credential 'main' is not granted to script 'lookup'"), "\(notGranted.err)")
    }

    @Test("waits on the rate budget are announced every 2 s they add up to, naming the credential and the full window")
    func budgetWaitNotices() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "for i = 1, 20 do scalev.orders.list({ page_size = 1 }) end\nprint('done')\n"
            .write(to: folder.appendingPathComponent("many.lua"), atomically: true, encoding: .utf8)
        let run = try await Self.run(["run", "--sandbox", "many.lua"], in: folder, environment: ["LUNAS_BUDGET": "5/1s"])
        #expect(run.status == 0 && run.out == "done\n", "\(run.err)")
        #expect(run.err.contains("lunas: waiting "), "\(run.err)")
        #expect(run.err.contains(" s for credential 'sandbox' (5/1s full)"), "\(run.err)")

        try "scalev.orders.list({ page_size = 1 })\nscalev.orders.list({ page_size = 1 })\n"
            .write(to: folder.appendingPathComponent("two.lua"), atomically: true, encoding: .utf8)
        let late = try await Self.run(["run", "--sandbox", "--timeout", "2", "two.lua"], in: folder, environment: ["LUNAS_BUDGET": "1/30s"])
        #expect(late.status == 1)
        #expect(late.err.contains("the rate budget of credential 'sandbox' has no slot"), "\(late.err)")
    }

    @Test("lunas run --sandbox grants the seeded customer as sandbox-customer, with no vault key")
    func sandboxCustomer() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            local me = scalev.customer.profile().customer
            local subscriptions = scalev.customer.subscriptions.list()
            print(me.email:find("@", 1, true) ~= nil, type(subscriptions.data))
            """.write(to: folder.appendingPathComponent("me.lua"), atomically: true, encoding: .utf8)
        let run = try await Self.run(["run", "--sandbox", "--credential", "sandbox-customer", "me.lua"], in: folder)
        #expect(run.status == 0 && run.out == "true\ttable\n", "\(run.out) \(run.err)")
    }

    @Test("lunas auth customer keeps the tokens in the vault; a script then acts as that customer")
    func customerLogin() async throws {
        let sandbox = try await SandboxHarness.start(SandboxConfiguration(seededOrderCount: 10, rateLimitingEnabled: false), clock: .running)
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let c = sandbox.credentials
        try """
            base_url = "\(sandbox.baseURL)"
            [credentials.shopper]
            kind = "customer"
            store = "\(c.storeUniqueID)"
            publishable_key = "\(c.storefrontKey)"
            """.write(to: folder.appendingPathComponent("lunas.toml"), atomically: true, encoding: .utf8)
        let environment = ["LUNAS_VAULT_KEY": VaultKey.generate().base64]
        let wrong = try await Self.run(["auth", "customer", "shopper", "--email", c.customerEmail], in: folder, environment: environment, input: "wrong-password\n")
        #expect(wrong.status == 1 && !wrong.err.contains("wrong-password"), "\(wrong.err)")
        let login = try await Self.run(["auth", "customer", "shopper", "--email", c.customerEmail], in: folder, environment: environment, input: c.customerPassword + "\n")
        #expect(login.status == 0, "\(login.err)")
        let list = try await Self.run(["auth", "list"], in: folder, environment: environment)
        #expect(list.out.contains("shopper\tcustomer\tvault\n"), "\(list.out)")
        try "print(scalev.customer.profile().customer.email)\n".write(to: folder.appendingPathComponent("me.lua"), atomically: true, encoding: .utf8)
        let me = try await Self.run(["run", "me.lua"], in: folder, environment: environment)
        #expect(me.status == 0 && me.out == c.customerEmail + "\n", "\(me.err)")
        let removed = try await Self.run(["auth", "remove", "shopper"], in: folder, environment: environment)
        #expect(removed.status == 0 && removed.out.contains("removed 'shopper'"))
        let after = try await Self.run(["run", "me.lua"], in: folder, environment: environment)
        #expect(after.status != 0)
    }
}
