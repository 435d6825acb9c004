import CLua

/// What one copy of values out of Lua may cost the host: every node it visits (a subtable held
/// twice is copied, and counted, twice) and every byte, within the state's memory limit, and
/// only while the run has not been stopped. A table holding the same subtable twice at each of
/// 30 levels is a billion nodes: the budget ends such a copy with an error, early.
struct LuaCopyBudget {
    /// The most nodes one copy visits.
    static let maxNodes = 1 << 20
    /// What a copied node costs the host, roughly (the value and its slot in a table).
    static let nodeBytes = 64
    /// The bytes one copy may take from a state without a memory limit.
    static let unlimitedBytes = 1 << 30
    /// The bytes a copy may always take, however full the Lua heap is.
    static let minimumBytes = 1 << 20
    /// Nodes between two looks at the stop flag.
    static let pollInterval = 4096

    private let control: UnsafeMutablePointer<clua_control>
    private var nodes = 0
    private var bytes = 0
    private let byteLimit: Int

    init(control: UnsafeMutablePointer<clua_control>) {
        self.control = control
        let limit = Int(clamping: control.pointee.mem_limit)
        byteLimit = limit == 0
            ? Self.unlimitedBytes
            : max(min(limit, Self.minimumBytes), limit - Int(clamping: control.pointee.mem_used))
    }

    /// Counts one node; every 4096th, looks at the stop flag.
    mutating func countNode() throws {
        nodes += 1
        if nodes > Self.maxNodes {
            throw LuaError(.runtime, "value too large to copy out of Lua: more than \(Self.maxNodes) nodes")
        }
        if nodes % Self.pollInterval == 0, control.pointee.stop != 0 {
            throw LuaError(.runtime, "the run was stopped while a value was copied out of Lua")
        }
        try countBytes(Self.nodeBytes)
    }

    /// Counts `count` bytes of payload (a string's).
    mutating func countBytes(_ count: Int) throws {
        bytes += count
        if bytes > byteLimit {
            let shown = byteLimit >= 1 << 20 ? "\(byteLimit >> 20) MiB" : "\(byteLimit >> 10) KiB"
            throw LuaError(.runtime, "value too large to copy out of Lua: more than \(shown) (what the memory limit leaves)")
        }
    }
}
