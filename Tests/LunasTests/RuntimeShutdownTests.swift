import LunasRuntime
import LunasTesting
import Testing

/// A runtime leaves nothing running after `shutdown()`: its Lua threads (here an executor and a
/// watchdog of its own, named so that no other test's threads count) end with it.
@Suite struct RuntimeShutdownTests {
    @Test func noThreadOfTheRuntimeIsLeftAfterShutdown() async throws {
        var configuration = RuntimeConfiguration(stdlibFolder: RuntimeTests.stdlib, scriptsFolder: nil)
        let executor = LuaExecutor(threads: 2, name: "rtdown"), watchdog = Watchdog(name: "rtdown-dog")
        configuration.executor = executor
        configuration.watchdog = watchdog
        let runtime = Runtime(configuration: configuration)
        let options = ScriptOptions(limits: LuaLimits(memory: 4 << 20, deadline: .seconds(30)))
        let result = await runtime.run(RunRequest(source: .text("return 6 * 7", chunkName: "x.lua"), options: options, output: RunTranscript().output))
        guard case .ok(let values) = result.outcome else { Issue.record("\(result.outcome)"); return }
        #expect(values == [.integer(42)])
        #expect(ProcessThreads.named("rtdown") == ["rtdown-0", "rtdown-1", "rtdown-dog"])
        await runtime.shutdown()
        // a thread that was finishing its last job as the lease went ends just after the release
        await executor.stopped()
        await watchdog.stopped()
        #expect(ProcessThreads.gone(named: "rtdown"), "\(ProcessThreads.named("rtdown")) left after shutdown")
    }
}
