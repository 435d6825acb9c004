import LuaKit

/// The globals `sleep(seconds)` and `deadline_remaining()`.
///
/// `sleep` suspends the script (an async host call: other runs go on meanwhile) on the runtime's
/// clock; a sleep that would end past the run's deadline sleeps until the deadline and then ends
/// the run with the deadline's limit, which `pcall` does not catch. Cancelling the run ends the
/// sleep at once. `deadline_remaining()` gives the seconds left as a float, or `nil` when the run
/// has no deadline.
struct SleepModule: ScriptModule {
    var name: String { "sleep" }
    var fields: Set<String> { [] }
    /// The run's deadline.
    let deadline: RunDeadline

    /// The longest sleep a script may ask for, in seconds (a year, as the longest deadline).
    static let longest = LuaLimits.maxDeadlineSeconds

    func install(in state: LuaState) throws {
        let deadline = self.deadline
        state.registerAsync("sleep") { arguments in
            let wanted = try Self.duration(arguments.first ?? .nil)
            if let remaining = deadline.remaining(), let limit = deadline.limit, wanted >= remaining {
                try await deadline.clock.sleep(for: remaining)
                throw LuaError(.limit(.deadline(limit)), LuaLimit.deadline(limit).message)
            }
            if wanted > .zero { try await deadline.clock.sleep(for: wanted) }
            return []
        }
    }

    /// The sleep a script asked for: a number of seconds, 0 or more, at most ``longest``.
    static func duration(_ value: LuaValue) throws -> Duration {
        let seconds: Double
        switch value {
        case .integer(let n): seconds = Double(n)
        case .number(let x): seconds = x
        default: throw LuaError(.usage, "sleep: seconds must be a number, not \(value.typeName)")
        }
        guard !seconds.isNaN else { throw LuaError(.usage, "sleep: seconds must be a number, not NaN") }
        guard seconds >= 0 else { throw LuaError(.usage, "sleep: seconds must be 0 or more, not \(Self.format(seconds))") }
        guard seconds <= longest else {
            throw LuaError(.usage, "sleep: seconds must be at most \(Int(longest)) (a year), not \(Self.format(seconds))")
        }
        return .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }
}

/// The global `deadline_remaining()` (see ``SleepModule``).
struct DeadlineRemainingModule: ScriptModule {
    var name: String { "deadline_remaining" }
    var fields: Set<String> { [] }
    /// The run's deadline.
    let deadline: RunDeadline

    func install(in state: LuaState) throws {
        let deadline = self.deadline
        state.register("deadline_remaining") { _ in
            guard let remaining = deadline.remaining() else { return [.nil] }
            let (seconds, attoseconds) = remaining.components
            return [.number(Double(seconds) + Double(attoseconds) / 1e18)]
        }
    }
}
