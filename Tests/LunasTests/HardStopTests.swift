import Foundation
import LuaKit
import Testing

/// `lunas run`'s hard stop: the process ends itself where no hook can stop the script.
/// Timings are checked only against the limit plus the grace plus a wide margin for a busy
/// machine: what fails without the hard stop runs for minutes.
@Suite("lunas run's hard stop")
struct HardStopTests {
    /// Deadline + grace + the margin within which the process has surely ended.
    static func latest(after deadline: Duration) -> Duration { deadline + HardStop.grace(after: deadline) + .seconds(5) }

    /// A weak-keyed table whose values chain its keys zigzagging through the order `pairs`
    /// reveals: the collector's ephemeron passes alternate direction and each marks one more link,
    /// so convergence is quadratic, inside one atomic step with no hook (40,000 keys: 28 s).
    static func ephemeronScript(keys: Int) -> String {
        """
        local weak = setmetatable({}, { __mode = "k" })
        local function build()
          local strong = {}
          for i = 1, \(keys) do local k = {} strong[i] = k weak[k] = true end
          local order = {}
          for k in pairs(weak) do order[#order + 1] = k end
          local lo, hi, chain = 1, #order, {}
          while lo <= hi do
            chain[#chain + 1] = order[lo]; lo = lo + 1
            if lo <= hi then chain[#chain + 1] = order[hi]; hi = hi - 1 end
          end
          for i = 1, #chain - 1 do weak[chain[i]] = chain[i + 1] end
          weak[chain[#chain]] = false
          return chain[1]
        end
        local root = build()
        collectgarbage()
        return root ~= nil
        """
    }

    @Test("the collector's ephemeron worst case ends at deadline + grace: exit 3, forced")
    func collectorWorstCase() async throws {
        let file = try LunasProcess.script(Self.ephemeronScript(keys: 200_000))
        let started = ContinuousClock.now
        let outcome = try await LunasProcess.run(["run", file, "--timeout", "1"])
        #expect(ContinuousClock.now - started < Self.latest(after: .seconds(1)))
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("lunas: \(file): deadline of 1 s exceeded (forced)\n"), "\(outcome.stderr)")
    }

    @Test("host memory past the cap plus the allowance ends the run: exit 3, forced")
    func residentMemory() async throws {
        // a dry run keeps its kv writes in host memory, outside the Lua heap's cap: 300 MB of them
        let file = try LunasProcess.script("for i = 1, 3000 do kv.set('k' .. i, string.rep('x', 100000) .. i) end")
        let store = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-hardstop-\(UUID().uuidString).db").path
        // the namespace's kv quota (64 MiB by default) would refuse the writes before the hard stop
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-hardstop-\(UUID().uuidString).toml").path
        try "[kv]\nmax_bytes = 1099511627776\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: config)
        }
        let outcome = try await LunasProcess.run(["run", file, "--dry-run", "--memory", "16", "--store", store, "--ns", "hardstop", "--config", config])
        #expect(outcome.status == 3)
        #expect(outcome.stderr.contains("lunas: \(file): memory limit of 16 MiB exceeded (forced)\n"), "\(outcome.stderr.suffix(300))")
    }

    @Test("no deadline, no forced stop: a run that ends on its own is not cut short")
    func noDeadline() async throws {
        let file = try LunasProcess.script("local t = os.clock() while os.clock() - t < 1.5 do end print('done')")
        let outcome = try await LunasProcess.run(["run", file])
        #expect(outcome.status == 0)
        #expect(outcome.stdout == "done\n")
    }

    /// The process's peak resident memory in KiB, printed by a trusted script last.
    static let printPeak = """
        local f = io.open("/proc/self/status") local s = f:read("a") f:close()
        print(s:match("VmHWM:%s*(%d+)"))
        """

    @Test("freed small blocks of one size class are reused by the next: cycling sizes stays under the cap")
    func arenaCyclingSizes() async throws {
        #if os(Linux)
        let idle = try await LunasProcess.run(["run", "--trusted", try LunasProcess.script(Self.printPeak)])
        let cycling = try await LunasProcess.run(["run", "--trusted", "--memory", "64", try LunasProcess.script("""
            -- fills about 24 MiB with blocks of one size class, frees them, moves to the next
            for len = 24, 488, 32 do
              local t = {}
              local pad = ("x"):rep(len - 8)
              for i = 1, (24 << 20) // (len + 32) do t[i] = pad .. string.format("%08d", i) end
              t = nil
              collectgarbage()
            end

            """ + Self.printPeak)])
        #expect(idle.status == 0 && cycling.status == 0, "\(idle.stderr) \(cycling.stderr)")
        let idlePeak = try #require(Int(idle.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let peak = try #require(Int(cycling.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // before the arena counted its free lists and spilled to malloc: 860 MiB resident
        #expect(peak * 1024 < idlePeak * 1024 + (64 << 20) + HardStop.defaultAllowance, "peak \(peak) KiB, idle \(idlePeak) KiB")
        #endif
    }
}
