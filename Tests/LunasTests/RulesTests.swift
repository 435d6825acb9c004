import Foundation
import LuaKit
import LunasClock
import LunasRuntime
import LunasStore
import LunasTesting
import Testing

/// Rules files through `Runtime` on real states: registration and its names, options and their
/// errors, the top-level gate, rule runs, timers, and snapshots.
@Suite struct RulesTests {
    static let start = Date(timeIntervalSince1970: 1_772_330_400) // 2026-03-01T02:00:00Z

    let clock = TestClock(start: RulesTests.start)
    let runtime: Runtime

    init() {
        var configuration = RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil)
        configuration.clock = clock
        runtime = Runtime(configuration: configuration)
    }

    func request(_ source: String, name: String = "vip_rules.lua", rule: RuleCall? = nil, options: ScriptOptions = ScriptOptions(),
                 transcript: RunTranscript = RunTranscript()) -> RunRequest {
        var request = RunRequest(source: .text(source, chunkName: name), options: options, output: transcript.output)
        request.rule = rule
        request.script = "vip_rules"
        return request
    }

    func load(_ source: String, name: String = "vip_rules.lua") async -> Result<RuleSet, RulesError> {
        await runtime.loadRules(request(source, name: name), script: "vip_rules")
    }

    /// The message a failed load ends with.
    func loadError(_ source: String) async -> String {
        switch await load(source) {
        case .success(let rules): return "loaded \(rules.rules.map(\.name))"
        case .failure(let error): return error.description
        }
    }

    @Test func registrationNamesAreGivenOrDerivedWithANumberForASecondAlike() async throws {
        let source = """
            on("order.*", function(event) end)
            on("order.*", function(event) end)
            cron("0 9 * * *", function(fire) end, { zone = "Asia/Jakarta", catch_up = "all", catch_up_window = "6h", overlap = "queue_one", attempts = 3 })
            every("15m", function(fire) end)
            every(900, function(fire) end, { catch_up = "skip" })
            job("follow_up", function(args) end, { name = "follow" })
            on("order.*", function(event) end)
            """
        let rules = try await load(source).get()
        #expect(rules.rules.map(\.name) == [
            "vip_rules:on:order.*", "vip_rules:on:order.*#2", "vip_rules:cron:0 9 * * *", "vip_rules:every:15m", "vip_rules:every:900",
            "follow", "vip_rules:on:order.*#3",
        ])
        #expect(rules.rules.map(\.line) == [1, 2, 3, 4, 5, 6, 7])
        let cron = try #require(rules.rule(named: "vip_rules:cron:0 9 * * *"))
        #expect(cron == Rule(name: "vip_rules:cron:0 9 * * *", kind: .cron("0 9 * * *"), zone: "Asia/Jakarta", catchUp: .all,
                             catchUpWindow: .seconds(21_600), overlap: .queueOne, attempts: 3, line: 3))
        #expect(cron.optionsDescription == "zone=Asia/Jakarta catch_up=all catch_up_window=6h overlap=queue_one attempts=3")
        let every = try #require(rules.rule(named: "vip_rules:every:15m"))
        #expect(every.catchUp == .latest && every.overlap == .skip && every.attempts == 5 && every.zone == nil && every.optionsDescription == "")
        #expect(rules.rule(named: "follow")?.kind == .job("follow_up"))
        #expect(rules.script == "vip_rules" && rules.file == "vip_rules.lua" && rules.source == source)
        #expect(rules.version == RuleSet.version(of: source) && rules.version.count == 64)
        #expect(rules.schedules.count == 3)
    }

    @Test func badSpecsAndOptionsFailTheLoadAtTheirLine() async throws {
        let unknown = await loadError("\non('order.created', function() end, { atempts = 3 })")
        #expect(unknown.hasPrefix("vip_rules.lua:2: on: unknown option 'atempts' (did you mean 'attempts'?)"), "\(unknown)")
        let zone = await loadError("every('1h', function() end, { zone = 'Asia/Jakarta' })")
        #expect(zone.hasPrefix("vip_rules.lua:1: every: 'zone' is an option of cron, not of every"), "\(zone)")
        let badZone = await loadError("cron('@daily', function() end, { zone = 'Mars/Olympus' })")
        #expect(badZone.contains("vip_rules.lua:1: cron: zone: unknown time zone \"Mars/Olympus\""), "\(badZone)")
        let spec = await loadError("on('x', function() end)\n\ncron('61 * * * *', function() end)")
        #expect(spec.hasPrefix("vip_rules.lua:3: cron: minute field"), "\(spec)")
        let period = await loadError("every('15 minutes', function() end)")
        #expect(period.hasPrefix("vip_rules.lua:1: every: the period must be a duration like \"15m\""), "\(period)")
        let policy = await loadError("cron('@hourly', function() end, { catch_up = 'some' })")
        #expect(policy.contains("catch_up must be \"skip\", \"latest\" or \"all\", not \"some\""), "\(policy)")
        let overlap = await loadError("every('1m', function() end, { overlap = 'queue' })")
        #expect(overlap.contains("overlap must be \"skip\", \"queue_one\" or \"allow\""), "\(overlap)")
        let attempts = await loadError("job('x', function() end, { attempts = 0 })")
        #expect(attempts.contains("job: attempts must be a whole number of tries, 1 or more, not 0"), "\(attempts)")
        let window = await loadError("every('1m', function() end, { catch_up_window = '6h' })")
        #expect(window.contains("catch_up_window bounds catch_up = \"all\""), "\(window)")
        let handler = await loadError("on('order.created', 'tag it')")
        #expect(handler.contains("on: the handler (argument 2) must be a function, got \"tag it\""), "\(handler)")
        let duplicate = await loadError("""
            on('order.created', function() end, { name = 'tagger' })
            job('follow_up', function() end)
            every('1h', function() end, { name = 'tagger' })
            """)
        #expect(duplicate.hasPrefix("vip_rules.lua:3: every: the rule name 'tagger' is taken by the rule registered at line 1"), "\(duplicate)")
        guard case .failure(.noRules(let script, _)) = await load("local x = 1\nprint(on)") else { Issue.record("a file that registers nothing"); return }
        #expect(script == "vip_rules")
        guard case .failure(.noRules) = await load("return 42") else { Issue.record("a plain script"); return }
    }

    @Test func eventPatternsMatchExactlyOrByWildcard() {
        func rule(_ pattern: String) -> Rule { Rule(name: pattern, kind: .event(pattern)) }
        #expect(rule("order.created").matches(event: "order.created"))
        #expect(!rule("order.created").matches(event: "order.created2"))
        #expect(rule("order.*").matches(event: "order.payment_status_changed"))
        #expect(!rule("order.*").matches(event: "business.test_event"))
        #expect(!rule("order.*").matches(event: "order"))
        #expect(rule("*").matches(event: "business.test_event"))
        #expect(rule("*.created").matches(event: "order.created") && !rule("*.created").matches(event: "order.updated"))
        #expect(!Rule(name: "j", kind: .job("order.created")).matches(event: "order.created"))
        let set = RuleSet(script: "s", file: "s.lua", source: "", rules: [rule("order.*"), rule("order.created"), rule("*"), rule("customer.*")])
        #expect(set.rules(matching: "order.created").map(\.name) == ["order.*", "order.created", "*"])
    }

    @Test func aTopLevelCallOfKVFailsAtItsLineAndAHandlerMayCallIt() async throws {
        let fixture = try await StoreFixture.open(.sqlite)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil), store: fixture.store)
        var options = ScriptOptions()
        options.namespace = "vip_rules"
        let calling = """
            local get = kv.get
            on('order.created', function(event) kv.set('seen', event.id); return (get('seen')) end)
            local n = kv.incr('loads')
            """
        let failed = await runtime.loadRules(request(calling, options: options), script: "vip_rules")
        guard case .failure(.load(.failed(let error))) = failed else { Issue.record("\(failed)"); return }
        #expect(error.message == "vip_rules.lua:3: a rules file's top level may not call kv (registration must stay fast and deterministic): call it inside a handler")
        let referencing = String(calling.split(separator: "\n").dropLast().joined(separator: "\n"))
        let rules = try await runtime.loadRules(request(referencing, options: options), script: "vip_rules").get()
        let result = await runtime.run(request(referencing, rule: RuleCall(name: rules.rules[0].name, input: [["id": 7]]), options: options))
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(7)])
        let shared = await runtime.loadRules(request("on('x', function() end)\nkv.shared('team')", options: options), script: "vip_rules")
        #expect("\(shared)".contains("vip_rules.lua:2: a rules file's top level may not call kv"), "\(shared)")
        await runtime.shutdown()
        try await fixture.close()
    }

    @Test func aTopLevelCallOfScalevFailsAtItsLine() async throws {
        let account = SandboxAccount(baseURL: "http://127.0.0.1:9", businessKey: "sk_test", restrictedKey: "rk_test", storefrontKey: "pk_test",
                                     storeID: "store", customerEmail: "c@example.com", customerPassword: "secret")
        var request = request("""
            local orders = scalev.orders
            on('order.created', function(event) end)
            local page = orders.list({ page_size = 1 })
            """)
        request.credentials = .sandbox(account)
        let failed = await runtime.loadRules(request, script: "vip_rules")
        guard case .failure(.load(.failed(let error))) = failed else { Issue.record("\(failed)"); return }
        #expect(error.message == "vip_rules.lua:3: a rules file's top level may not call scalev (registration must stay fast and deterministic): call it inside a handler")
        // in an ordinary run, the gate closes at the first registration
        var before = self.request("local ok, e = pcall(scalev.with, 'sandbox')\nprint(ok)\non('x', function() end)\nscalev.with('sandbox')")
        before.credentials = .sandbox(account)
        let transcript = RunTranscript()
        before.output = transcript.output
        let result = await runtime.run(before)
        guard case .failed(let late) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(transcript.text() == "true\n")
        #expect(late.message.hasPrefix("vip_rules.lua:4: a rules file's top level may not call scalev"), "\(late.message)")
        await runtime.shutdown()
    }

    @Test func aRuleRunCallsTheRuleNamedWithItsInput() async throws {
        let source = """
            print("top level")
            on("order.*", function(event) return "any", event.event end)
            on("order.created", function(event) return "created", event.data.id end, { name = "created" })
            cron("0 9 * * *", function(fire) return "cron", fire.name, fire.catch_up end)
            """
        let transcript = RunTranscript()
        let event: LuaValue = ["event": "order.created", "unique_id": "event_1", "data": ["id": 42]]
        let created = await runtime.run(request(source, rule: RuleCall(name: "created", input: [event]), transcript: transcript))
        guard case .ok(let values) = created.outcome else { Issue.record("\(created.outcome)"); return }
        #expect(values == ["created", 42])
        #expect(transcript.text() == "top level\n", "a rule run runs the top level once, then the handler")
        #expect(created.rules.count == 3)
        let any = await runtime.run(request(source, rule: RuleCall(name: "vip_rules:on:order.*", input: [event])))
        guard case .ok(let anyValues) = any.outcome else { Issue.record("\(any.outcome)"); return }
        #expect(anyValues == ["any", "order.created"])
        let fire: LuaValue = ["name": "vip_rules:cron:0 9 * * *", "catch_up": false]
        let cron = await runtime.run(request(source, rule: RuleCall(name: "vip_rules:cron:0 9 * * *", input: [fire])))
        guard case .ok(let cronValues) = cron.outcome else { Issue.record("\(cron.outcome)"); return }
        #expect(cronValues == ["cron", "vip_rules:cron:0 9 * * *", false])
        let missing = await runtime.run(request(source, rule: RuleCall(name: "paid")))
        guard case .failed(let error) = missing.outcome else { Issue.record("\(missing.outcome)"); return }
        #expect(error.message == "no rule 'paid' in vip_rules; it registers: vip_rules:on:order.*, created, vip_rules:cron:0 9 * * *")
        var both = request(source, rule: RuleCall(name: "created"))
        both.handler = RunHandler("created")
        guard case .rejected = await runtime.run(both).outcome else { Issue.record("a handler and a rule"); return }
        // an ordinary run reports what it registered
        let plain = await runtime.run(request(source))
        #expect(plain.rules.map(\.name) == ["vip_rules:on:order.*", "created", "vip_rules:cron:0 9 * * *"])
        #expect(await runtime.run(request("return 1")).rules.isEmpty)
    }

    @Test func afterAndAtSetTimersWithKeysPerCallIndex() async throws {
        let source = """
            job("follow_up", function(args) return args.order_id end)
            job("remind", function(args) end, { name = "reminder" })
            on("order.created", function(event)
              local first = after("2h", "follow_up", { order_id = event.data.id })
              local second = at("2026-03-02T09:00:00+07:00", "reminder", nil, { key = "remind:" .. event.data.id })
              local third = at(1772445600, "remind")
              local fourth = after(90, "follow_up", { tags = json.array() })
              return first, second, third, fourth
            end)
            """
        let event: LuaValue = ["event": "order.created", "data": ["id": 7]]
        let result = await runtime.run(request(source, rule: RuleCall(name: "vip_rules:on:order.created", input: [event], timerKey: "job-41")))
        guard case .ok(let keys) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(keys == ["job-41#1", "remind:7", "job-41#3", "job-41#4"])
        #expect(result.timers == [
            RuleTimer(job: "vip_rules:job:follow_up", at: Self.start + 7200, args: #"{"order_id":7}"#, key: "job-41#1"),
            RuleTimer(job: "reminder", at: Date(timeIntervalSince1970: 1_772_416_800), args: "{}", key: "remind:7"),
            RuleTimer(job: "reminder", at: Date(timeIntervalSince1970: 1_772_445_600), args: "{}", key: "job-41#3"),
            RuleTimer(job: "vip_rules:job:follow_up", at: Self.start + 90, args: #"{"tags":[]}"#, key: "job-41#4"),
        ])
        let job = await runtime.run(request(source, rule: RuleCall(name: "vip_rules:job:follow_up", input: [["order_id": 7]])))
        guard case .ok(let values) = job.outcome else { Issue.record("\(job.outcome)"); return }
        #expect(values == [7])

        func failure(_ handler: String, top: String = "") async -> String {
            let source = "job('follow_up', function() end)\n\(top)\non('order.created', function(event)\n\(handler)\nend)"
            let result = await runtime.run(request(source, rule: RuleCall(name: "vip_rules:on:order.created")))
            guard case .failed(let error) = result.outcome else { return "\(result.outcome)" }
            return error.message
        }
        let unknown = await failure("after('1h', 'follow')")
        #expect(unknown == "vip_rules.lua:4: after: no job 'follow' in vip_rules (its jobs: follow_up); register it with job(\"follow\", function(args) ... end)")
        let notJSON = await failure("after('1h', 'follow_up', { fn = print })")
        #expect(notJSON.hasPrefix("vip_rules.lua:4: after: args cannot be stored as JSON"), "\(notJSON)")
        let badDelay = await failure("after('soon', 'follow_up')")
        #expect(badDelay.hasPrefix("vip_rules.lua:4: after: the delay must be a duration"), "\(badDelay)")
        let badTime = await failure("at('tomorrow', 'follow_up')")
        #expect(badTime.hasPrefix("vip_rules.lua:4: at: the time must be epoch seconds or ISO 8601"), "\(badTime)")
        let badKey = await failure("after('1h', 'follow_up', {}, { kee = 'x' })")
        #expect(badKey.contains("after: unknown option \"kee\" (did you mean 'key'?)"), "\(badKey)")
        let topLevel = await failure("", top: "after('1h', 'follow_up')")
        #expect(topLevel.hasPrefix("vip_rules.lua:2: after: a rules file's top level may not set timers"), "\(topLevel)")
    }

    @Test func aSnapshotRunsTheSourceItHoldsEvenAfterTheFileChanged() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("paid.lua").path
        try "return { tag = 'paid-v1' }".write(toFile: folder.appendingPathComponent("tags.lua").path, atomically: true, encoding: .utf8)
        try "local tags = require 'tags'\non('order.*', function(event) return tags.tag, 1 end)".write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try await runtime.loadRules(RunRequest(source: .file(file)), script: "paid").get()
        #expect(loaded.file == file && loaded.rules.map(\.name) == ["paid:on:order.*"])
        try "on('order.*', function(event) return 'changed', 2 end)\n\nerror('boom')".write(toFile: file, atomically: true, encoding: .utf8)
        var request = RunRequest(source: .snapshot(loaded.source, file: loaded.file), output: RunTranscript().output)
        request.script = "paid"
        request.rule = RuleCall(name: "paid:on:order.*")
        let result = await runtime.run(request)
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == ["paid-v1", 1], "the snapshot's source ran, requiring from the file's folder")
        let broken = await runtime.run(RunRequest(source: .snapshot("on('x', function() end)\nerror('boom')", file: file), output: RunTranscript().output))
        guard case .failed(let error) = broken.outcome else { Issue.record("\(broken.outcome)"); return }
        #expect(error.message.hasSuffix("paid.lua:2: boom"), "errors name the file: \(error.message)")
        #expect(ScriptSource.snapshot("", file: file).name == file)
    }
}

extension RulesTests {
    @Test func theExampleRulesFileLoads() async throws {
        let file = LunasBinary.packageRoot.appendingPathComponent("scripts/rules/paid_orders.lua").path
        let rules = try await runtime.loadRules(RunRequest(source: .file(file), output: RunTranscript().output), script: "rules/paid_orders").get()
        #expect(rules.rules.map(\.name) == ["rules/paid_orders:on:order.payment_status_changed", "rules/paid_orders:job:follow_up", "morning_count"])
        #expect(rules.rule(named: "morning_count")?.zone == "Asia/Jakarta")
        #expect(rules.rules(matching: "order.payment_status_changed").first?.attempts == 3)
    }
}
