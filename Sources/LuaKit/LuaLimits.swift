/// The limits of one state, each ending a run with its own error.
public struct LuaLimits: Sendable, Equatable {
    /// The cap on the Lua heap, in bytes; `nil` for none. A script may catch the memory error and
    /// free memory, as in stock Lua; the cap itself is never exceeded by Lua's allocations. Blocks
    /// count as the allocator holds them: small ones by their size class, including the freed
    /// ones the state keeps for reuse (at most 1 MiB), larger ones by malloc's chunk.
    public var memory: Int?
    /// The wall-clock time a run may take; `nil` for none. Neither `pcall` nor a tight loop can
    /// outlive it, and it also cancels the async host call the run is waiting on.
    public var deadline: Duration?
    /// The number of VM instructions a run may execute (counted in steps of 1,000); `nil` for none.
    /// Costs a count hook while set.
    public var instructions: Int64?
    /// The deepest Lua call stack allowed; `nil` leaves Lua's own limit (about 200,000 frames,
    /// "stack overflow"). Costs a call hook while set.
    public var callDepth: Int?

    /// The longest deadline a host should accept from its user, in seconds (a year): longer
    /// ones are a mistake, and past about 2^53 ms they no longer convert to a `Duration` exactly.
    public static let maxDeadlineSeconds: Double = 31_536_000

    /// A deadline of `seconds`, or `nil` unless it is more than 0 and at most ``maxDeadlineSeconds``.
    public static func deadline(seconds: Double) -> Duration? {
        guard seconds > 0, seconds <= maxDeadlineSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Limits with these values; all off by default.
    public init(memory: Int? = nil, deadline: Duration? = nil, instructions: Int64? = nil, callDepth: Int? = nil) {
        self.memory = memory
        self.deadline = deadline
        self.instructions = instructions
        self.callDepth = callDepth
    }
}

/// Which part of the standard library a state opens.
public enum LuaProfile: Sendable, Equatable {
    /// For scripts: no io, no debug, os only time/clock/date/difftime, text-only `load`, no
    /// `string.dump`/`dofile`/`loadfile`/`package`, no `__gc`, `require` only from the module paths.
    case sandboxed
    /// The full standard library, for host applications and `lunas run --trusted`, behaving as
    /// stock Lua's: its own `require` over `package.searchers` (the module paths first in
    /// `package.path`), the main chunk as the main coroutine, `warn` to standard error.
    case trusted
}
