import Foundation
import LunasRuntime
import LunasStore
import LunasTesting
import ScalevSandbox
import Testing

/// What a run is given, as `Runtime` decides it: Scalev credentials it resolves itself (a local
/// sandbox's, or the configured ones from the environment it was given), a clear error for a
/// capability the run lacks, and modules installed only where the chunk can reach them.
@Suite struct RuntimeCapabilityTests {
    func account(_ harness: SandboxHarness) -> SandboxAccount {
        let credentials = harness.credentials
        return SandboxAccount(
            baseURL: harness.baseURL, businessKey: credentials.businessKey, restrictedKey: credentials.restrictedKey,
            storefrontKey: credentials.storefrontKey, storeID: credentials.storeUniqueID,
            customerEmail: credentials.customerEmail, customerPassword: credentials.customerPassword)
    }

    func request(_ source: String, credentials: RunCredentials = .none, namespace: String? = nil) -> RunRequest {
        var options = ScriptOptions()
        options.namespace = namespace
        return RunRequest(source: .text(source, chunkName: "rule.lua"), options: options, output: RunTranscript().output, credentials: credentials)
    }

    @Test func aSandboxAccountIsResolvedByTheRuntimeAndItsKeysNeverShow() async throws {
        try await SandboxHarness.with { harness in
            let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, budgets: false))
            let listed = await runtime.run(request("return #scalev.orders.list({ page_size = 5 }).data", credentials: .sandbox(account(harness))))
            guard case .ok(let values) = listed.outcome else { Issue.record("\(listed.outcome)"); return }
            #expect(values == [.integer(5)])
            #expect(listed.apiCalls == 1)
            let restricted = await runtime.run(request(
                "return scalev.orders.update('1', { notes = 'x' })", credentials: .sandbox(account(harness), default: "sandbox-restricted")))
            guard case .failed(let error) = restricted.outcome else { Issue.record("\(restricted.outcome)"); return }
            #expect(!error.message.contains(harness.credentials.restrictedKey))
            let unknown = await runtime.run(request("return 1", credentials: .sandbox(account(harness), default: "admin")))
            guard case .rejected(let message) = unknown.outcome else { Issue.record("\(unknown.outcome)"); return }
            #expect(message.contains("sandbox-restricted") && message.contains("'admin'"), "\(message)")
            await runtime.shutdown()
        }
    }

    @Test func configuredCredentialsComeFromTheConfigurationsEnvironmentNotTheProcesss() async throws {
        try await SandboxHarness.with { harness in
            let environment = ["SCALEV_API_KEY": harness.credentials.businessKey, "SCALEV_BASE_URL": harness.baseURL]
            let runtime = Runtime(configuration: RuntimeConfiguration(
                stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, environment: environment, budgets: false))
            let result = await runtime.run(request("return scalev.orders.list({ page_size = 2 }).data[1] ~= nil", credentials: .configured()))
            guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
            #expect(values == [.boolean(true)])
            await runtime.shutdown()
            let bare = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))
            let none = await bare.run(request("return scalev.orders.list()", credentials: .configured()))
            guard case .rejected(let message) = none.outcome else { Issue.record("\(none.outcome)"); return }
            #expect(message.hasPrefix("rule.lua:1: no Scalev credential"), "\(message)")
            await bare.shutdown()
        }
    }

    @Test func aCapabilityTheRunLacksIsNamedWhereTheScriptReachesForIt() async throws {
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))
        let scalev = await runtime.run(request("local total = 1\nreturn scalev.orders.list()"))
        guard case .failed(let scalevError) = scalev.outcome else { Issue.record("\(scalev.outcome)"); return }
        #expect(scalevError.message.hasPrefix("rule.lua:2: scalev is not available"), "\(scalevError.message)")
        #expect(scalevError.message.contains("capability 'scalev'"))
        let kv = await runtime.run(request("return pcall(kv.get, 'x')"))
        guard case .failed(let kvError) = kv.outcome else { Issue.record("\(kv.outcome)"); return }
        #expect(kvError.message.contains("kv is not available") && kvError.message.contains("capability 'kv'"), "\(kvError.message)")
        let assigned = await runtime.run(request("scalev.x = 1"))
        guard case .failed(let assignError) = assigned.outcome else { Issue.record("\(assigned.outcome)"); return }
        #expect(assignError.message.contains("scalev is not available"))
        await runtime.shutdown()
    }

    @Test func modulesAreInstalledOnlyWhereTheChunkCanReachThem() async throws {
        try await SandboxHarness.with { harness in
            let fixture = try await StoreFixture.open(.sqlite)
            let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, budgets: false),
                                  store: fixture.store)
            let granted = RunCredentials.sandbox(account(harness))
            let bare = await runtime.run(request("return 1"))
            let untouched = await runtime.run(request("return 1", credentials: granted, namespace: "rule"))
            let touched = await runtime.run(request("local s, k = scalev, kv\nreturn 1", credentials: granted, namespace: "rule"))
            // the same within the collector's timing: a run that never names scalev or kv pays nothing for them
            #expect(abs(untouched.peakMemory - bare.peakMemory) < 2_048, "\(untouched.peakMemory) vs \(bare.peakMemory)")
            #expect(touched.peakMemory > untouched.peakMemory + 10_000)
            // code the chunk does not name still finds them: through _G, _ENV or loaded code
            for reach in ["return type(rawget(_G, 'scalev')), type(rawget(_G, 'kv'))",
                          "return type(rawget(_ENV, 'scalev')), type(rawget(_ENV, 'kv'))",
                          "return load('return type(scalev), type(kv)')()"] {
                let result = await runtime.run(request(reach, credentials: granted, namespace: "rule"))
                guard case .ok(let values) = result.outcome else { Issue.record("\(reach): \(result.outcome)"); continue }
                #expect(values == [.string("table"), .string("table")], "\(reach)")
            }
            await runtime.shutdown()
            try await fixture.close()
        }
    }
}
