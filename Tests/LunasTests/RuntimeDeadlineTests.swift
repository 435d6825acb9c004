import Foundation
import LuaKit
import LunasRuntime
import Testing

/// A run's deadline in wall time: timed, so .ci/test.sh runs it in the serial phase (under the
/// parallel one a run may wait for a Lua thread longer than its deadline).
@Suite struct RuntimeDeadlineTests {
    let runtime = Runtime(configuration: RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil))

    @Test func theChunkAndItsHandlerShareOneDeadline() async throws {
        // The chunk spends half the deadline (by the host's clock); the handler then loops. With
        // a deadline of its own it would be stopped 3 s after it began, sharing the run's about
        // 1.5 s after.
        let origin = ContinuousClock.now
        var options = ScriptOptions(limits: LuaLimits(deadline: .seconds(3)))
        options.modules = [HostModule("clock").function("ms") { _ in
            [.integer((ContinuousClock.now - origin).components.seconds * 1000 + (ContinuousClock.now - origin).components.attoseconds / 1_000_000_000_000_000)]
        }]
        let transcript = RunTranscript()
        let result = await runtime.run(RunRequest(
            source: .text("local t = clock.ms() while clock.ms() - t < 1500 do end function loop() print('handler') while true do end end",
                          chunkName: "slow.lua"),
            handler: RunHandler("loop"), options: options, output: transcript.output))
        let ended = Date()
        guard case .limit(.deadline, _) = result.outcome else { Issue.record("\(result.outcome)"); return }
        let printed = try #require(transcript.records.first { $0.kind == .print })
        #expect(printed.text == "handler\n")
        #expect(ended.timeIntervalSince(printed.time) < 2.5, "the handler ran \(ended.timeIntervalSince(printed.time)) s")
    }
}
