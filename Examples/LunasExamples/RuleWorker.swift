import LuaKit
import LunasRuntime

/// Runs a merchant's rule for each message of a queue, one at a time and in order, each in a
/// fresh sandboxed state under the worker's limits, and reports every outcome.
///
/// A rule that fails or hits a limit ends only its own run: the report says so and the worker
/// takes the next message. The worker runs in the caller's task: it returns when the messages
/// end, or when that task is cancelled — a run in progress then ends at its next instruction
/// and is reported `.cancelled`. Nothing outlives ``run(_:report:)``.
///
/// ```swift
/// let worker = RuleWorker(runtime: runtime, rule: MerchantRule(source: rule, chunkName: "orders.lua", handler: "handle"))
/// let handled = await worker.run(queue) { report in
///     if case .failed(let error) = report.result.outcome { alert(report.sequence, error.message) }
/// }
/// ```
public struct RuleWorker: Sendable {
    /// What each run gets unless the host says otherwise: 1 s, 16 MiB.
    public static let defaultLimits = LuaLimits(memory: 16 << 20, deadline: .seconds(1))

    /// The runtime the rule runs in.
    public let runtime: Runtime
    /// The rule; its handler is called with the message.
    public var rule: MerchantRule
    /// How each run runs: limits, modules, `kv` namespace, credentials.
    public var options: ScriptOptions
    /// Where every run's `print` and `log` go, in order.
    public var output: ScriptOutput

    /// A worker of `rule`.
    public init(runtime: Runtime, rule: MerchantRule, options: ScriptOptions = ScriptOptions(limits: RuleWorker.defaultLimits),
                output: ScriptOutput = ScriptOutput { _ in }) {
        self.runtime = runtime
        self.rule = rule
        self.options = options
        self.output = output
    }

    /// Runs the rule for each message of `messages` until they end or the calling task is
    /// cancelled, handing each outcome to `report` before taking the next message. Returns how
    /// many messages it took.
    @discardableResult
    public func run<Message: Encodable & Sendable>(
        _ messages: some AsyncSequence<Message, Never>, report: (RuleReport<Message>) async -> Void
    ) async -> Int {
        var taken = 0
        for await message in messages {
            taken += 1
            let result = await handle(message)
            await report(RuleReport(sequence: taken, message: message, result: result))
            if Task.isCancelled { break }
        }
        return taken
    }

    /// One run of the rule with `message` (encoded as a Lua table) as its handler's input.
    public func handle(_ message: some Encodable & Sendable) async -> RunResult {
        let input: LuaValue
        do {
            input = try LuaValue(encoding: message)
        } catch {
            return RunResult(outcome: .rejected("the message cannot be given to Lua: \(error)"), duration: .zero, peakMemory: 0)
        }
        return await runtime.run(RunRequest(
            source: rule.scriptSource, handler: RunHandler(rule.handler, input: [input]), options: options, output: output))
    }
}
