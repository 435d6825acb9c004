import LuaKit
import ScalevModel

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

    /// Reads of fields that a module does not have (`scalev.order`, `scalev.orders.eachh`), each
    /// with the nearest field it has. `modules` maps a global to its fields as dotted paths
    /// (`orders`, `orders.each`); globals the chunk assigns are its own and not checked.
    public static func unknownFields(in chunk: LuaChunk, modules: [String: Set<String>]) -> [(access: GlobalAccess, path: String, suggestion: String?)] {
        let accesses = chunk.globalAccesses()
        let assigned = Set(accesses.filter(\.isWrite).map(\.name))
        var found: [(access: GlobalAccess, path: String, suggestion: String?)] = []
        for access in accesses where !access.isWrite && !assigned.contains(access.name) {
            guard let known = modules[access.name] else { continue }
            var prefix = ""
            for field in access.fields {
                let path = prefix.isEmpty ? field : prefix + "." + field
                let siblings = known.filter { $0.hasPrefix(prefix.isEmpty ? "" : prefix + ".") }
                    .map { String($0.dropFirst(prefix.isEmpty ? 0 : prefix.count + 1)) }.filter { !$0.contains(".") }
                guard !siblings.isEmpty else { break } // a function or a value: its fields are not the module's
                guard known.contains(path) else {
                    let hint = nearest(to: field, in: siblings).map { "\(access.name).\(prefix.isEmpty ? "" : prefix + ".")\($0)" }
                    found.append((access, "\(access.name).\(path)", hint))
                    break
                }
                prefix = path
            }
        }
        return found.sorted { $0.access.line < $1.access.line }
    }

    /// The known name nearest to `name`: within two edits for names of four letters or more
    /// (`pritn`, `jsno`), one for shorter ones, a third of the length for long ones.
    public static func nearest(to name: String, in names: some Sequence<String>) -> String? {
        NameSuggestion(minimumEdits: name.count >= 4 ? 2 : 1).nearest(to: name, among: names.sorted())
    }
}
