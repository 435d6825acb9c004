import Foundation
import LunasStore
import ScalevSandbox
import Testing

/// `lunas run --sandbox`, `--dry-run`, configured credentials and `lunas auth`, as processes in a
/// folder of their own (they write lunas.db, lunas-sandbox.db and lunas-sandbox.json there).
@Suite("lunas run with Scalev, and lunas auth")
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

    @Test("the demo tags VIP orders in the sandbox; a second run finds them tagged; a dry run writes nothing")
    func demo() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dry = try await Self.run(["run", "--sandbox", "--dry-run", Self.demo], in: folder)
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.err.contains("dry run: POST /v3/orders/") && dry.err.contains("/update-tags"), "\(dry.err)")
        let first = try await Self.run(["run", "--sandbox", Self.demo], in: folder)
        #expect(first.status == 0, "\(first.err)")
        let tagged = try #require(first.out.firstMatch(of: /\((\d+) newly tagged, (\d+) already vip\)/))
        #expect(Int(tagged.1) ?? 0 > 0 && tagged.2 == "0", "\(first.out)")
        let second = try await Self.run(["run", "--sandbox", Self.demo], in: folder)
        #expect(second.out.contains("(0 newly tagged, \(tagged.1) already vip)"), "\(second.out)")
        #expect(second.out.contains("Runs of this script:   3"))
    }

    @Test("a configured key from the environment; errors name the script's line and hold no secret")
    func configuredCredential() async throws {
        let sandbox = try await ScalevSandbox.start(SandboxConfiguration(seededOrderCount: 30, rateLimitingEnabled: false))
        defer { Task { await sandbox.stop() } }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = sandbox.credentials.businessKey
        try "print(#scalev.orders.list({ page_size = 3 }).data)\nscalev.orders.get('missing-order')\n"
            .write(to: folder.appendingPathComponent("lookup.lua"), atomically: true, encoding: .utf8)
        let viaEnvironment = try await Self.run(["run", "--verbose", "lookup.lua"], in: folder,
                                               environment: ["SCALEV_BASE_URL": sandbox.baseURL, "SCALEV_API_KEY": key])
        #expect(viaEnvironment.status == 1)
        #expect(viaEnvironment.out == "3\n")
        #expect(viaEnvironment.err.contains("lookup.lua:2: GET /v3/orders/missing-order -> 404"), "\(viaEnvironment.err)")
        #expect(viaEnvironment.err.contains("scalev: "), "--verbose traces requests")
        #expect(!viaEnvironment.err.contains(key) && !viaEnvironment.out.contains(key))

        try """
            base_url = "\(sandbox.baseURL)"
            [credentials.main]
            kind = "api_key"
            secret_env = "MY_KEY"
            [scripts.lookup]
            grants = []
            """.write(to: folder.appendingPathComponent("lunas.toml"), atomically: true, encoding: .utf8)
        let missing = try await Self.run(["run", "lookup.lua"], in: folder, environment: ["MY_KEY": key])
        #expect(missing.status == 1 && missing.err.contains("lookup.lua:1:") && missing.err.contains("no Scalev credential"), "\(missing.err)")
        let notGranted = try await Self.run(["run", "--credential", "main", "lookup.lua"], in: folder, environment: ["MY_KEY": key])
        #expect(notGranted.status == 2 && notGranted.err.contains("credential 'main' is not granted to script 'lookup'"), "\(notGranted.err)")
    }

    @Test("lunas auth customer keeps the tokens in the vault; a script then acts as that customer")
    func customerLogin() async throws {
        let sandbox = try await ScalevSandbox.start(SandboxConfiguration(seededOrderCount: 10, rateLimitingEnabled: false))
        defer { Task { await sandbox.stop() } }
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
