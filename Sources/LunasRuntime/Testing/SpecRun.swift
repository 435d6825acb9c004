import Foundation
import LuaKit
import LunasClock

/// The local Scalev sandbox a spec file runs against: its account (the credentials every run
/// of the spec is granted), its simulated clock, and a way to reseed its data.
public struct SpecSandbox: Sendable {
    /// The sandbox's origin and credentials.
    public var account: SandboxAccount
    /// The sandbox's simulated now, in seconds since 1970: the spec's one clock.
    public var now: @Sendable () -> Double
    /// Moves the sandbox's clock forward by a number of seconds.
    public var advance: @Sendable (Double) -> Void
    /// Replaces the sandbox's data with freshly seeded data (its keys stay).
    public var reset: @Sendable () async throws -> Void

    /// A sandbox.
    public init(account: SandboxAccount, now: @escaping @Sendable () -> Double, advance: @escaping @Sendable (Double) -> Void,
                reset: @escaping @Sendable () async throws -> Void) {
        self.account = account
        self.now = now
        self.advance = advance
        self.reset = reset
    }
}

/// One spec file (`*_spec.lua`, written with `require "lunas.test"`) run as `lunas test` runs
/// it: a run of its own through a fresh ``Runtime`` over `configuration` (its store the caller's
/// fresh one), in the sandboxed profile with `scalev` granted the sandbox's credentials and `kv`
/// in the namespace of the script it tests (`tag_vip_spec.lua`: `tag_vip`). Its clock is the
/// sandbox's (``VirtualClock``): `os.time`, `sleep`, the rules' timers and the sandbox read one
/// time that only the spec moves. The fixtures of `lunas.test` (`t.sandbox`, `t.rules`, `t.run`)
/// are the host module ``SpecSession`` installs.
public struct SpecRun: Sendable {
    /// The spec file.
    public var file: String
    /// The runtime's configuration; its clock and budgets are the spec's (a virtual clock, no
    /// rate budgets: the sandbox a spec runs against has no limits).
    public var configuration: RuntimeConfiguration
    /// The sandbox.
    public var sandbox: SpecSandbox
    /// Only tests whose full name (`describe › it`) contains this text, or matches it as a Lua
    /// pattern, run; `nil`: all.
    public var filter: String?
    /// Where the spec's and its rules' `print` and `log` output goes.
    public var output: ScriptOutput
    /// The limits of the spec file's run (the whole file) and of each run it makes.
    public var limits: LuaLimits
    /// Hears each test as it ends.
    public var onTest: @Sendable (SpecTestResult) -> Void

    /// A run of `file`.
    public init(file: String, configuration: RuntimeConfiguration, sandbox: SpecSandbox, filter: String? = nil,
                output: ScriptOutput = .standard, limits: LuaLimits = LuaLimits(memory: 256 << 20, deadline: .seconds(120)),
                onTest: @escaping @Sendable (SpecTestResult) -> Void = { _ in }) {
        self.file = file
        self.configuration = configuration
        self.sandbox = sandbox
        self.filter = filter
        self.output = output
        self.limits = limits
        self.onTest = onTest
    }

    /// The `kv` namespace of a spec file: its name without `_spec.lua` (`scripts/tag_vip_spec.lua`
    /// is `tag_vip`, the namespace of `scripts/tag_vip.lua`), so that a spec reads what the
    /// script it tests wrote.
    public static func namespace(of file: String) -> String {
        var name = (file as NSString).lastPathComponent
        if name.hasSuffix(".lua") { name.removeLast(4) }
        if name.hasSuffix("_spec"), name.count > 5 { name.removeLast(5) }
        return name
    }

    /// Runs the file to its end and reports its tests.
    public func run() async -> SpecFileReport {
        let started = ContinuousClock.now
        let clock = VirtualClock(read: sandbox.now, move: sandbox.advance)
        var configuration = self.configuration
        configuration.clock = clock
        configuration.budgets = false
        let runtime = Runtime(configuration: configuration)
        let session = SpecSession(runtime: runtime, clock: clock, sandbox: sandbox, specFile: file, output: output,
                                  limits: limits, onTest: onTest)
        var options = ScriptOptions(limits: limits)
        let namespace = Self.namespace(of: file)
        options.namespace = namespace
        options.modules = [session.module(filter: filter)]
        var request = RunRequest(source: .file(file), options: options, output: output, credentials: .sandbox(sandbox.account))
        request.script = namespace
        let result = await runtime.run(request)
        await runtime.shutdown()
        let error: SpecFailure? = switch result.outcome {
        case .ok: nil
        case .failed(let error): Self.failure(of: error)
        case .limit(let limit, let error): SpecFailure(message: "\(limit.message)\(error.location.map { " at \($0)" } ?? "")", location: error.location)
        case .rejected(let message): SpecFailure(message: message)
        case .cancelled: SpecFailure(message: "cancelled")
        }
        return SpecFileReport(file: file, tests: session.results, error: error, duration: ContinuousClock.now - started)
    }

    /// An error that ended the spec file: an expectation's failure raised outside every `it`
    /// keeps its fields; any other error is its message (which starts with `file:line`).
    static func failure(of error: LuaError) -> SpecFailure {
        if case .table(let table) = error.value, table["lunas_test_failure"].isTruthy {
            return SpecSession.failure(from: table) ?? SpecFailure(message: error.message)
        }
        let message = error.message
        return SpecFailure(message: message, location: Self.location(in: message))
    }

    /// The `file:line` a message starts with, if it does.
    static func location(in message: String) -> String? {
        let parts = message.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else { return nil }
        return "\(parts[0]):\(parts[1])"
    }
}
