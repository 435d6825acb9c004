/// The limits of one state, each ending a run with its own error.
public struct LuaLimits: Sendable, Equatable {
    /// The cap on the Lua heap, in bytes; `nil` for none. A script may catch the memory error and
    /// free memory, as in stock Lua; the cap itself is never exceeded by Lua's allocations.
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
    /// The full standard library, for host applications and `lunas run --trusted`.
    case trusted
}
