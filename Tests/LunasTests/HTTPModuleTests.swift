import Foundation
import LunasRuntime
import Testing

/// `http` against a real loopback server: what the allow-list lets through, redirects checked
/// hop by hop, private addresses, bounded answers, timeouts, the run's call cap.
@Suite(.timeLimit(.minutes(1))) struct HTTPModuleTests {
    func run(_ source: String, allow: [String], settings: (inout HTTPSettings) -> Void = { _ in }, maxCalls: Int? = nil,
             deadline: Duration? = nil, secrets: [String] = []) async -> RunResult {
        var lunas = LunasConfiguration()
        lunas.httpAllow = allow
        settings(&lunas.http)
        let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil, lunas: lunas))
        var options = ScriptOptions(limits: LuaLimits(deadline: deadline), secrets: secrets)
        options.maxCalls = maxCalls
        let result = await runtime.run(RunRequest(source: .text(source, chunkName: "hook.lua"), options: options, output: RunTranscript().output))
        await runtime.shutdown()
        return result
    }

    func values(_ result: RunResult) -> [LuaValue] {
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return [] }
        return values
    }

    @Test func anAllowedHostAnswersWithStatusHeadersBodyAndJSON() async throws {
        let server = try await LoopbackHTTPServer.start()
        let result = await run("""
            local r = http.get('\(server.url("/json"))')
            local p = http.post('\(server.url("/echo"))', { json = { total = "125000.00", n = 2 }, headers = { ["X-Token"] = "abc", Authorization = "Bearer t" } })
            local missing = http.get('\(server.url("/nothing"))')
            return r.status, r.json.ok, json.is_array(r.json.tags), r.headers["content-type"], p.json.method,
                   p.json.headers["content-type"], p.json.headers["x-token"], p.json.headers.host, json.decode(p.json.body).total,
                   missing.status, missing.json
            """,
            allow: ["127.0.0.1"])
        #expect(values(result) == [
            .integer(200), true, true, "application/json; charset=utf-8", "POST", "application/json", "abc", .string(LuaString("127.0.0.1:\(server.port)")),
            "125000.00", .integer(404), .nil,
        ])
        #expect(result.apiCalls == 3)
        try await server.stop()
    }

    @Test func aHostNotAllowedIsRefusedBeforeAnythingIsSent() async throws {
        let server = try await LoopbackHTTPServer.start()
        let result = await run("""
            local out = {}
            for _, url in ipairs({ ... }) do
              local ok, err = pcall(http.get, url)
              out[#out + 1] = err.code .. " " .. err.message
            end
            return table.concat(out, "\\n")
            """.replacingOccurrences(of: "...", with: [
                server.url("/json", host: "localhost"), "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1:\(server.port)/json",
                "http://supersecret-host-7.example/",
            ].map { "'\($0)'" }.joined(separator: ", ")),
            allow: ["127.0.0.1", "*.example.com"], secrets: ["supersecret-host-7"])
        let lines = (values(result).first?.stringValue ?? "").split(separator: "\n").map(String.init)
        #expect(lines == [
            "not_allowed http: host 'localhost' is not allowed; add it to [http] allow in lunas.toml",
            "invalid_request http: the url is a ftp: URL; only http and https are reached",
            "invalid_request http: the url carries a user name or password; send credentials in a header (headers = { Authorization = ... })",
            "not_allowed http: host '[REDACTED].example' is not allowed; add it to [http] allow in lunas.toml",
        ])
        #expect(server.requests == 0)
        #expect(result.apiCalls == 0)
        try await server.stop()
    }

    @Test func redirectsAreFollowedAndEachHopIsChecked() async throws {
        let server = try await LoopbackHTTPServer.start()
        let to = { (url: String) in server.url("/redirect?to=" + (url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
        let result = await run("""
            local followed = http.post('\(to(server.url("/echo")) + "&status=303")', { body = "x" })
            local ok, refused = pcall(http.get, '\(to(server.url("/json", host: "localhost")))')
            local ok2, looped = pcall(http.get, '\(server.url("/loop"))')
            return followed.status, followed.json.method, followed.json.body, refused.code, refused.message, looped.code, looped.message
            """, allow: ["127.0.0.1"])
        #expect(values(result) == [
            .integer(200), "GET", "", "not_allowed",
            "http: 127.0.0.1 redirects to host 'localhost', which is not allowed; add it to [http] allow in lunas.toml",
            "too_many_redirects", "http: 127.0.0.1 redirected more than 5 times",
        ])
        // 2 for the followed redirect, 1 for the refused one (its target never reached), 6 for the loop
        #expect(server.requests == 9)
        #expect(result.apiCalls == 9)
        try await server.stop()
    }

    @Test func privateAddressesAreReachedOnlyWhenTheAllowListNamesTheHostExactly() async throws {
        let server = try await LoopbackHTTPServer.start()
        let refused = await run("""
            local ok, a = pcall(http.get, '\(server.url("/json"))')
            local ok2, b = pcall(http.get, '\(server.url("/json", host: "localhost"))')
            return a.code, a.message, b.code
            """, allow: ["*"])
        #expect(values(refused) == [
            "private_address",
            "http: host '127.0.0.1' resolves to 127.0.0.1, a private or local address; only a host [http] allow names exactly (not by a wildcard) is reached at one",
            "private_address",
        ])
        #expect(server.requests == 0)
        let named = await run("return http.get('\(server.url("/json", host: "localhost"))').status", allow: ["localhost"])
        #expect(values(named) == [.integer(200)])
        try await server.stop()
    }

    @Test func addressesAreClassifiedPublicOrNot() {
        let local = ["0.0.0.0", "10.1.2.3", "127.0.0.1", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                     "224.0.0.1", "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:10.0.0.1",
                     "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::", "[::1]"]
        let public_ = ["8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]
        for text in local {
            let address = HTTPAddress(text)
            #expect(address != nil && address?.isPublic == false, "\(text)")
        }
        for text in public_ {
            #expect(HTTPAddress(text)?.isPublic == true, "\(text)")
        }
        #expect(HTTPAddress("example.com") == nil && HTTPAddress("10.0.0") == nil)
        let list = HTTPAllowList(["Hooks.Slack.com", "*.example.com", "127.0.0.1"])
        #expect(list.match("hooks.slack.com.") == .exact && list.match("a.b.example.com") == .wildcard)
        #expect(list.match("example.com") == nil && list.match("evil-example.com") == nil && list.match("slack.com") == nil)
    }

    @Test func answersAreBounded() async throws {
        let server = try await LoopbackHTTPServer.start()
        let result = await run("""
            local fits = http.get('\(server.url("/big?bytes=1024"))')
            local ok, long = pcall(http.get, '\(server.url("/big?bytes=2000"))')
            local ok2, chunked = pcall(http.get, '\(server.url("/chunked?bytes=300000"))')
            local ok3, sent = pcall(http.post, '\(server.url("/echo"))', { body = string.rep("y", 2000) })
            return #fits.body, long.code, long.message, chunked.code, sent.code
            """, allow: ["127.0.0.1"], settings: { $0.maxResponseBytes = 1024; $0.maxRequestBytes = 1500 })
        #expect(values(result) == [
            .integer(1024), "response_too_large",
            "http: the answer of 127.0.0.1 is longer than the 1 KiB a call may receive ([http] max_response_bytes)",
            "response_too_large", "request_too_large",
        ])
        try await server.stop()
    }

    @Test func aCallThatGetsNoAnswerTimesOutAndTheRunsDeadlineBoundsIt() async throws {
        let silent = try await SilentServer.start()
        let url = "http://127.0.0.1:\(silent.port)/hook"
        let timedOut = await run("local ok, err = pcall(http.get, '\(url)', { timeout = 0.2 }) return err.code, err.retryable, err.message",
                                 allow: ["127.0.0.1"])
        #expect(values(timedOut) == ["timeout", true, "http: no answer from 127.0.0.1 within 0.2 s"])
        let started = ContinuousClock.now
        let bounded = await run("local x = 1\nlocal ok, err = pcall(http.get, '\(url)')\nreturn 'caught'", allow: ["127.0.0.1"], deadline: .milliseconds(300))
        guard case .limit(.deadline, let error) = bounded.outcome else { Issue.record("\(bounded.outcome)"); return }
        #expect(error.location == "hook.lua:2")
        #expect(ContinuousClock.now - started < .seconds(5))
        let bad = await run("local ok, err = pcall(http.get, '\(url)', { timeout = -1 }) return tostring(err)", allow: ["127.0.0.1"])
        #expect(values(bad).first?.stringValue?.contains("http: timeout must be more than 0 and at most 600 seconds, not -1.0") == true)
        try await silent.stop()
    }

    @Test func everyRequestCountsAgainstTheRunsCallCap() async throws {
        let server = try await LoopbackHTTPServer.start()
        let result = await run("""
            http.get('\(server.url("/json"))')
            http.get('\(server.url("/json"))')
            local ok = pcall(http.get, '\(server.url("/json"))')
            print('not reached', ok)
            """, allow: ["127.0.0.1"], maxCalls: 2)
        guard case .limit(.apiCalls(2), let error) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(error.location == "hook.lua:3")
        #expect(result.apiCalls == 2 && server.requests == 2)
        try await server.stop()
    }

    @Test func badOptionsAreNamedAtTheScriptsLine() async throws {
        let result = await run("""
            local out = {}
            for _, f in ipairs({
              function() http.get("http://127.0.0.1/", { jsno = 1 }) end,
              function() http.get("http://127.0.0.1/", { body = "x" }) end,
              function() http.post("http://127.0.0.1/", { json = {}, body = "x" }) end,
              function() http.post("http://127.0.0.1/", { headers = { Host = "evil" } }) end,
              function() http.post("http://127.0.0.1/", { headers = { ["X-A"] = "a\\r\\nX-B: b" } }) end,
              function() http.get(42) end,
            }) do
              local ok, err = pcall(f)
              out[#out + 1] = tostring(err)
            end
            return table.concat(out, "\\n")
            """, allow: ["127.0.0.1"])
        let lines = (values(result).first?.stringValue ?? "").split(separator: "\n").map(String.init)
        #expect(lines == [
            "hook.lua:3: http.get: unknown option 'jsno' (json, body, headers, timeout)",
            "hook.lua:4: http.get: a GET sends no body; use http.post",
            "hook.lua:5: http.post: give json or body, not both",
            "hook.lua:6: http: the header 'Host' is set by http itself",
            "hook.lua:7: http: the header 'X-A' holds a line break",
            "hook.lua:8: http.get: url must be a string, got number",
        ])
    }

    @Test func theHTTPSectionOfLunasTomlIsCheckedKeyByKey() throws {
        let read = try LunasConfiguration(toml: """
            [http]
            allow = ["hooks.slack.com", "*.example.com", "127.0.0.1", "::1"]
            max_response_bytes = 2048
            timeout = "30s"
            """)
        #expect(read.httpAllow == ["hooks.slack.com", "*.example.com", "127.0.0.1", "::1"])
        #expect(read.http.maxResponseBytes == 2048 && read.http.timeout == .seconds(30) && read.http.maxRequestBytes == 1 << 20)
        for (toml, message) in [
            ("allow = [\"https://hooks.slack.com\"]", "http.allow entry 'https://hooks.slack.com' must be a host name like hooks.slack.com, without a scheme or path"),
            ("allow = [\"example.com:8080\"]", "without a port"),
            ("max_response_bytes = 0", "http.max_response_bytes must be between 1 and"),
            ("alow = []", "did you mean 'allow'?"),
        ] {
            let error = #expect(throws: ConfigurationError.self) { _ = try LunasConfiguration(toml: "[http]\n" + toml) }
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        }
    }
}
