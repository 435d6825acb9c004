import AsyncHTTPClient
import Foundation
import LunasStore
import LunasTesting
import ScalevSandbox
import Testing

/// What the harness and the fixture promise the tests that use them: nothing outlives a test.
@Suite("Test scope, sandbox harness, store fixture", .testScope)
struct TestScopeTests {
    struct Failure: Error {}

    /// Whether anything still answers at `baseURL`.
    static func answers(_ baseURL: String) async throws -> Bool {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        TestScope.adopt { try await http.shutdown() }
        do {
            _ = try await http.execute(HTTPClientRequest(url: baseURL + "/v3/stores"), timeout: .seconds(5))
            return true
        } catch {
            return false
        }
    }

    @Test("the suite's trait gives each test, and each case of a parameterized one, a scope")
    func eachTestHasAScope() {
        #expect(TestScope.current != nil)
    }

    @Test(arguments: StoreBackend.available)
    func eachCaseHasAScope(_ backend: StoreBackend) {
        #expect(TestScope.current != nil)
    }

    @Test("with stops the sandbox when its body throws, and rethrows the body's error")
    func withStopsAfterAFailure() async throws {
        var baseURL = ""
        await #expect(throws: Failure.self) {
            try await SandboxHarness.with { sandbox in
                baseURL = sandbox.baseURL
                let bearer = ("Authorization", "Bearer \(sandbox.credentials.businessKey)")
                #expect(try await sandbox.request("GET", "/v3/stores", headers: [bearer]).status == 200)
                throw Failure()
            }
        }
        #expect(try await !Self.answers(baseURL))
    }

    @Test("a scope stops the sandboxes and closes the stores its test left open, even when the test throws")
    func scopeStopsWhatWasLeft() async throws {
        var baseURL = ""
        var folder: URL?
        await #expect(throws: Failure.self) {
            try await TestScope.run {
                baseURL = try await SandboxHarness.start().baseURL
                folder = try await StoreFixture.open(.sqlite).folder
                throw Failure()
            }
        }
        #expect(try await !Self.answers(baseURL))
        #expect(folder.map { FileManager.default.fileExists(atPath: $0.path) } == false)
    }

    @Test("what stopping throws is thrown by the scope")
    func stopErrorsAreSeen() async {
        await #expect(throws: Failure.self) {
            try await TestScope.run { TestScope.adopt { throw Failure() } }
        }
    }

    @Test("the frozen clock moves only when advanced")
    func frozenClock() async throws {
        try await SandboxHarness.with { sandbox in
            let start = sandbox.sandbox.clock.now
            // requests served read the clock, and it stays where it was
            for _ in 0..<3 { #expect(try await sandbox.request("GET", "/_sandbox/clock").status == 200) }
            #expect(sandbox.sandbox.clock.now == start)
            try await sandbox.advanceClock(by: 90)
            #expect(sandbox.sandbox.clock.now == start + 90)
        }
    }

    @Test("a fixture's store works, its reopened stores too, and closing removes its files", arguments: StoreBackend.available)
    func fixtureCleansUp(_ backend: StoreBackend) async throws {
        let folder = try await StoreFixture.with(backend) { fixture in
            _ = try await fixture.store.set("greeting", to: "hello", in: fixture.namespace)
            #expect(try await fixture.reopen().get("greeting", in: fixture.namespace)?.value == "hello")
            return fixture.folder
        }
        if let folder { #expect(!FileManager.default.fileExists(atPath: folder.path)) }
    }
}
