import LuaKit

/// The globals a script can count on, by profile: what `lunas check` knows is defined.
public enum ScriptGlobals {
    /// The globals of the sandboxed profile, Lunas' modules included.
    public static let sandboxed: Set<String> = [
        "_G", "_VERSION", "assert", "collectgarbage", "error", "getmetatable", "ipairs", "load", "next",
        "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require", "select",
        "setmetatable", "tonumber", "tostring", "type", "warn", "xpcall",
        "coroutine", "math", "os", "string", "table", "utf8",
        "arg", "json", "kv", "log", "scalev",
    ]

    /// The globals of the trusted profile.
    public static let trusted: Set<String> = sandboxed.union(["debug", "dofile", "io", "loadfile", "package"])

    /// Reads of globals that the chunk never assigns and the profile does not define, each with
    /// the nearest known name when one is close.
    public static func undefinedReads(in chunk: LuaChunk, profile: LuaProfile) -> [(access: GlobalAccess, suggestion: String?)] {
        let known = profile == .trusted ? trusted : sandboxed
        let accesses = chunk.globalAccesses()
        let assigned = Set(accesses.filter(\.isWrite).map(\.name))
        let candidates = known.union(assigned)
        return accesses
            .filter { !$0.isWrite && !candidates.contains($0.name) }
            .sorted { $0.line < $1.line }
            .map { ($0, nearest(to: $0.name, in: candidates)) }
    }

    static func nearest(to name: String, in names: Set<String>) -> String? {
        let scored = names.map { ($0, editDistance(Array(name), Array($0))) }.filter { $0.1 <= max(1, name.count / 3) }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
