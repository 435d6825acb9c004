import AsyncHTTPClient
import Foundation
import LunasRuntime
import LunasStore
import LunasTesting
import ScalevSandbox
import Testing

/// ``Vault``, the runtime's side of `lunas auth`, as a host uses it: API keys, an OAuth
/// installation authorized through the loopback redirect, the entries and their removal.
@Suite("Runtime vault: what lunas auth does, for hosts", .testScope)
struct VaultTests {
    /// A runtime over a SQLite store in a folder of its own, configured by `toml`, with a fresh
    /// vault key; shut down when the test ends.
    static func runtime(_ toml: String) throws -> Runtime {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-vault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let runtime = Runtime(configuration: RuntimeConfiguration(
            stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, store: .sqlite(path: folder.appendingPathComponent("lunas.db").path),
            lunas: try LunasConfiguration(toml: toml), environment: [VaultKey.environmentVariable: VaultKey.generate().base64]))
        TestScope.adopt {
            await runtime.shutdown()
            try? FileManager.default.removeItem(at: folder)
        }
        return runtime
    }

    /// What `body` was refused with: a ``VaultError``'s message, else the error; `nil` when it
    /// was not refused.
    static func refusal(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as VaultError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    /// A loopback redirect URI on a port nothing else is likely to use.
    static func redirectURI() -> String { "http://127.0.0.1:\(Int.random(in: 20_000..<60_000))/callback" }

    /// The browser's part: opens `url` (the sandbox approves at once), then follows the redirect
    /// to the loopback server (which listens already); the page it shows and where it was sent.
    static func approve(_ url: String, in sandbox: SandboxHarness) async throws -> (page: String, location: String) {
        let approved = try await sandbox.request("GET", String(url.dropFirst(sandbox.baseURL.count)), headers: [("Accept", "application/json")])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(approved.body)) as? [String: Any], "\(approved.text)")
        let location = try #require(answer["redirect_to"] as? String, "\(approved.text)")
        let response = try await sandbox.http.execute(HTTPClientRequest(url: location), timeout: .seconds(5))
        return (String(buffer: try await response.body.collect(upTo: 1 << 16)), location)
    }

    /// Starts `pending.catchRedirect()` and returns once its server listens.
    static func listening(_ pending: PendingAuthorization) async -> Task<String, any Error> {
        let (bound, signal) = AsyncStream<Void>.makeStream()
        let task = Task { try await pending.catchRedirect(listening: { signal.yield(); signal.finish() }) }
        for await _ in bound { break }
        return task
    }

    @Test("an API key, an OAuth installation through the loopback redirect, the entries, removal")
    func keysAndOAuth() async throws {
        let sandbox = try await SandboxHarness.start(clock: .running)
        let redirectURI = Self.redirectURI()
        let registered = try await sandbox.request(
            "POST", "/v3/oauth/register", headers: [("Content-Type", "application/json")],
            body: Array(#"{"redirect_uris": ["\#(redirectURI)"]}"#.utf8))
        let app = try #require(try JSONSerialization.jsonObject(with: Data(registered.body)) as? [String: Any], "\(registered.text)")
        let clientID = try #require(app["client_id"] as? String)
        let c = sandbox.credentials
        let runtime = try Self.runtime("""
            base_url = "\(sandbox.baseURL)"
            [credentials.main]
            kind = "api_key"
            vault = "main"
            [credentials.app]
            kind = "oauth"
            client_id = "\(clientID)"
            [credentials.shop]
            kind = "storefront"
            store = "\(c.storeUniqueID)"
            publishable_key = "\(c.storefrontKey)"
            """)
        let vault = try await runtime.vault()
        #expect(try await vault.entries() == [
            VaultEntry(name: "app", kind: .oauth, place: .vault(stored: false)),
            VaultEntry(name: "main", kind: .apiKey, place: .vault(stored: false)),
            VaultEntry(name: "shop", kind: .storefront, place: .configuration),
        ])

        #expect(await Self.refusal { try await vault.storeAPIKey("not-a-key", for: "main") } == "an API key starts with sk_ or rk_")
        try await vault.storeAPIKey(c.businessKey, for: "main")
        #expect(await Self.refusal {
            _ = try await vault.authorize("main", redirectURI: redirectURI)
        } == "credential 'main' is of kind api_key, not oauth")
        #expect(await Self.refusal {
            _ = try await vault.authorize("other", redirectURI: redirectURI)
        } == "there is no [credentials.other] in lunas.toml; add it with kind = \"oauth\"")

        let pending = try await vault.authorize("app", redirectURI: redirectURI, scopes: ["order:list", "order:read"])
        #expect(pending.credential == "app" && pending.redirectURI == redirectURI)
        #expect(pending.url.hasPrefix(sandbox.baseURL + "/v3/oauth/authorize?") && pending.url.contains("code_challenge_method=S256"))
        let caught = await Self.listening(pending)
        let (page, location) = try await Self.approve(pending.url, in: sandbox)
        #expect(page == "Lunas has the authorization; you can close this tab.")
        let redirect = try await caught.value
        #expect(redirect == location)
        #expect(try await vault.complete(pending, redirect: redirect) == ["order:list", "order:read"])
        #expect(try await vault.entries().filter { $0.place == .vault(stored: true) }.map(\.name) == ["app", "main"])

        // The installation's tokens sign a script's requests.
        let run = await runtime.run(RunRequest(
            source: .text("return type(scalev.orders.list({ page_size = 1 }))", chunkName: "orders.lua"), output: RunTranscript().output,
            credentials: .configured(default: "app")))
        guard case .ok(let values) = run.outcome else { Issue.record("\(run.outcome)"); return }
        #expect(values == [.string("table")])

        #expect(try await vault.remove("app"))
        #expect(!(try await vault.remove("app")))
        #expect(try await vault.entries().first { $0.name == "app" }?.place == .vault(stored: false))
    }

    @Test("a redirect without a code is refused; a redirect URI off loopback is refused; cancelling the wait stops listening")
    func redirectProblems() async throws {
        let runtime = try Self.runtime("""
            [credentials.app]
            kind = "oauth"
            client_id = "app_test"
            """)
        let vault = try await runtime.vault()
        let pending = try await vault.authorize("app", redirectURI: Self.redirectURI())
        #expect(pending.url.hasPrefix("https://app.scalev.com/oauth/authorize?"))
        #expect(await Self.refusal {
            _ = try await vault.complete(pending, redirect: pending.redirectURI + "?error=access_denied")
        } == "the redirect carried no code (was the app denied?)")
        let remote = try await vault.authorize("app", redirectURI: "https://example.com/callback")
        #expect(await Self.refusal {
            _ = try await remote.catchRedirect()
        } == "the redirect URI must be a loopback URL with a port, like http://127.0.0.1:8765/callback")
        let waiting = await Self.listening(pending)
        waiting.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiting.value }
    }
}
