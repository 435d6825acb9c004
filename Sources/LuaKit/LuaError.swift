/// An error that ended a call into Lua, or that a host function raises into Lua.
public struct LuaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The source did not compile.
        case syntax
        /// The script raised an error (or a host function's error was not caught).
        case runtime
        /// A per-run limit ended the run.
        case limit(LuaLimit)
        /// A host function was given bad arguments, or the host misused the API.
        case usage
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The message, with the script position first when one is known (`file.lua:12: message`).
    public var message: String
    /// The error value itself: a string, or a table with fields such as `message` and `code`.
    public var value: LuaValue
    /// Lua's stack traceback at the point of the error, when known, without the frames of the
    /// host's own Lua wrappers.
    public var traceback: String?
    /// For a limit, the script's `file:line` that was running when it stopped the run, when known.
    public var location: String?

    /// An error of this kind.
    public init(_ kind: Kind, _ message: String, value: LuaValue? = nil, traceback: String? = nil) {
        self.kind = kind
        self.message = message
        self.value = value ?? .string(LuaString(message))
        self.traceback = traceback
    }

    public var description: String { message }
}

/// The per-run limits that can end a run.
public enum LuaLimit: Sendable, Equatable {
    /// The Lua heap reached its cap.
    case memory(bytes: Int)
    /// The wall-clock deadline passed.
    case deadline(Duration)
    /// The instruction budget was spent.
    case instructions(Int64)
    /// The run made the most API calls it may (counted by the host, which ends the run by
    /// throwing this limit from an async host function).
    case apiCalls(Int)
    /// The run was cancelled (Ctrl-C, task cancellation, host shutdown).
    case cancelled

    /// A sentence that names the limit, e.g. `memory limit of 64 MiB exceeded`.
    public var message: String {
        switch self {
        case .memory(let bytes): "memory limit of \(Self.formatBytes(bytes)) exceeded"
        case .deadline(let d): "deadline of \(Self.formatDuration(d)) exceeded"
        case .instructions(let n): "instruction limit of \(n) exceeded"
        case .apiCalls(let n): "API call limit of \(n) exceeded"
        case .cancelled: "run cancelled"
        }
    }

    static func formatBytes(_ bytes: Int) -> String {
        if bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    static func formatDuration(_ d: Duration) -> String {
        let (seconds, attos) = d.components
        if attos == 0 { return "\(seconds) s" }
        let ms = Double(seconds) * 1000 + Double(attos) / 1e15
        return ms >= 1000 ? "\(ms / 1000) s" : "\(Int(ms.rounded())) ms"
    }
}

/// An error a host function can throw to give Lua a table with fields rather than a string.
///
/// The table becomes the Lua error value: `pcall` returns it, and `err.code`, `err.status` and
/// so on read its fields. It always has `message`; `tostring(err)` gives the position and message.
public protocol LuaErrorConvertible: Error {
    /// The fields of the error table; `message` is added from `luaMessage` when missing.
    var luaFields: LuaTable { get }
    /// The human message.
    var luaMessage: String { get }
}
