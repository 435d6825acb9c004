import Foundation
import LunasRuntime
import Testing

/// `config`: a script's `[scripts.NAME.config]` from lunas.toml, read-only at every level.
@Suite struct ConfigModuleTests {
    static let toml = """
        [scripts.report]
        timeout = 30

        [scripts.report.config]
        threshold = 1000000
        ratio = 0.25
        webhook = "https://hooks.slack.com/services/T0/B0/x"
        enabled = true
        since = 2024-05-01
        stores = ["store_a", "store_b"]

        [scripts.report.config.slack]
        channel = "#sales"
        """

    func run(_ source: String, script: String?, toml: String = ConfigModuleTests.toml) async throws -> RunOutcome {
        let lunas = try LunasConfiguration(toml: toml)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, lunas: lunas))
        var request = RunRequest(source: .text(source, chunkName: "report.lua"), output: RunTranscript().output)
        request.script = script
        let result = await runtime.run(request)
        await runtime.shutdown()
        return result.outcome
    }

    static func values(_ outcome: RunOutcome) -> [LuaValue]? {
        if case .ok(let values) = outcome { return values }
        Issue.record("\(outcome)")
        return nil
    }

    @Test func theScriptsSettingsAreReadAsLuaValues() async throws {
        let outcome = try await run("""
            local n = 0
            for _ in pairs(config) do n = n + 1 end
            return config.threshold, math.type(config.threshold), config.ratio, config.webhook, config.enabled, config.since,
                   #config.stores, config.stores[2], config.slack.channel, n, json.encode(config.stores), json.encode(config.slack)
            """, script: "report")
        guard case .ok(let values) = outcome else { Issue.record("\(outcome)"); return }
        #expect(values == [.integer(1_000_000), "integer", .number(0.25), "https://hooks.slack.com/services/T0/B0/x", true, "2024-05-01",
                           .integer(2), "store_b", "#sales", .integer(7), "[\"store_a\",\"store_b\"]", "{\"channel\":\"#sales\"}"])
    }

    @Test func configIsReadOnlyAtEveryLevel() async throws {
        for (line, source) in [("config.threshold = 1", "top"), ("config.slack.channel = 'x'", "nested"), ("config.stores[3] = 'c'", "array"),
                               ("table.insert(config.stores, 'c')", "insert")] {
            let outcome = try await run("local x = 1\n" + line, script: "report")
            guard case .failed(let error) = outcome else { Issue.record("\(source): \(outcome)"); continue }
            #expect(error.message.contains("config is read-only"), "\(source): \(error.message)")
            if source != "insert" { #expect(error.message.hasPrefix("report.lua:2:"), "\(source): \(error.message)") }
        }
        let intact = try await run("pcall(function() config.threshold = 1 end)\nreturn config.threshold, getmetatable(config)", script: "report")
        #expect(Self.values(intact) == [.integer(1_000_000), "config"])
    }

    @Test func aScriptWithNoSettingsGetsAnEmptyTable() async throws {
        let outcome = try await run("local n = 0 for _ in pairs(config) do n = n + 1 end return type(config), n, config.threshold", script: "other")
        #expect(Self.values(outcome) == ["table", .integer(0), .nil])
        let unnamed = try await run("return type(config)", script: nil)
        #expect(Self.values(unnamed) == ["table"])
    }

    @Test func aSecretInConfigIsRefusedWithWhereToPutIt() throws {
        let error = #expect(throws: ConfigurationError.self) {
            _ = try LunasConfiguration(toml: "[scripts.report.config.slack]\ntoken = \"xoxb-123\"\n")
        }
        #expect(error?.message.contains("scripts.report.config.slack.token looks like a secret") == true, "\(String(describing: error))")
        #expect(error?.message.contains("[credentials.NAME]") == true)
    }
}
