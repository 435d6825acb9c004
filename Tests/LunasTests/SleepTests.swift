import Foundation
import LunasClock
import LunasRuntime
import Testing

/// `sleep` and `deadline_remaining` on the runtime's clock: under a test clock every sleep is
/// virtual (a sleep of an hour ends when the test moves the clock, within the suite's time limit).
@Suite(.timeLimit(.minutes(1))) struct SleepTests {
    let clock = TestClock()

    func runtime() -> Runtime {
        var configuration = RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil)
        configuration.clock = clock
        return Runtime(configuration: configuration)
    }

    func request(_ source: String, deadline: Duration?, transcript: RunTranscript) -> RunRequest {
        RunRequest(source: .text(source, chunkName: "nap.lua"), options: ScriptOptions(limits: LuaLimits(deadline: deadline)), output: transcript.output)
    }

    @Test func sleepWaitsOnTheRuntimesClockAndTheDeadlineCountsItsTime() async throws {
        let runtime = runtime()
        let transcript = RunTranscript()
        let run = Task { [request] in
            await runtime.run(request("local before = deadline_remaining()\nsleep(3600)\nreturn before, deadline_remaining()", .seconds(7200), transcript))
        }
        await clock.waitForSleepers(1)
        let due = try #require(clock.nextDeadline)
        #expect(due == clock.instant() + .seconds(3600))
        await clock.advance(by: .seconds(3599))
        #expect(clock.nextDeadline == due) // not woken a second early
        await clock.advance(by: .seconds(1))
        let result = await run.value
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        let before = try #require(values.first?.doubleValue), after = try #require(values.last?.doubleValue)
        #expect(before > 7190 && before <= 7200, "\(before)")
        #expect(after > 3590 && after <= 3600, "\(after)")
        await runtime.shutdown()
    }

    @Test func aSleepPastTheDeadlineSleepsToItAndEndsTheRunAsALimitPcallCannotCatch() async throws {
        let runtime = runtime()
        let transcript = RunTranscript()
        let run = Task { [request] in
            await runtime.run(request("local x = 1\nlocal ok = pcall(sleep, 100)\nprint('caught', ok)", .seconds(10), transcript))
        }
        await clock.waitForSleepers(1)
        let due = try #require(clock.nextDeadline)
        #expect(due <= clock.instant() + .seconds(10) && due > clock.instant() + .seconds(9))
        await clock.advance(by: .seconds(10))
        let result = await run.value
        guard case .limit(.deadline(let limit), let error) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(limit == .seconds(10))
        #expect(error.message == "deadline of 10 s exceeded")
        #expect(error.location == "nap.lua:2")
        #expect(!transcript.records.contains { $0.text.contains("caught") })
        await runtime.shutdown()
    }

    @Test func badDurationsAreErrorsAndZeroOrNoDeadlineNeedNoTime() async throws {
        let runtime = runtime()
        let transcript = RunTranscript()
        let result = await runtime.run(request("""
            local out = {}
            for _, v in ipairs({ -1, 0/0, 1e300, "5", math.huge }) do
              local ok, err = pcall(sleep, v)
              out[#out + 1] = tostring(ok) .. " " .. tostring(err)
            end
            sleep(0)
            sleep(0.0)
            out[#out + 1] = tostring(deadline_remaining())
            return table.concat(out, "\\n")
            """, deadline: nil, transcript: transcript))
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        let lines = (values.first?.stringValue ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0] == "false nap.lua:3: sleep: seconds must be 0 or more, not -1", "\(lines)")
        #expect(lines[1].hasSuffix("sleep: seconds must be a number, not NaN"))
        #expect(lines[2].hasSuffix("sleep: seconds must be at most 31536000 (a year), not 1e+300"))
        #expect(lines[3].hasSuffix("sleep: seconds must be a number, not string"))
        #expect(lines[4].contains("sleep: seconds must be at most"))
        #expect(lines[5] == "nil")
        #expect(clock.elapsed() == .zero)
        await runtime.shutdown()
    }

    @Test func cancellingTheRunEndsTheSleep() async throws {
        let runtime = runtime()
        let transcript = RunTranscript()
        let run = Task { [request] in await runtime.run(request("sleep(3600)\nprint('woke')", nil, transcript)) }
        await clock.waitForSleepers(1)
        run.cancel()
        let result = await run.value
        guard case .cancelled = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(clock.nextDeadline == nil)
        #expect(!transcript.records.contains { $0.text.contains("woke") })
        await runtime.shutdown()
    }
}
