import LuaKit
import ScalevModel

/// The globals a script can count on, read off what a run installs: the profile's standard
/// library, Lunas' modules (`log`, `json`, `kv`, `scalev`, `arg`) and the host's modules, with the
/// fields of each module — what `lunas check` (and a host checking its merchants' rules) knows
/// is defined.
public struct ScriptGlobals: Sendable {
    /// The names of the globals.
    public let names: Set<String>
    /// The fields of the modules as dotted paths (`orders`, `orders.each`), by global.
    public let fields: [String: Set<String>]

    /// The globals of a run of `profile` with the host's `modules`.
    public init(profile: LuaProfile, modules: [any ScriptModule] = []) {
        var fields = ["scalev": ScalevModule.knownFields, "kv": KVModule.knownFields, "http": HTTPModule.knownFields,
                      "input": InputModule.knownFields, "output": OutputModule.knownFields]
        for module in modules { fields[module.name] = module.fields }
        self.fields = fields
        names = (profile == .trusted ? Self.trusted : Self.sandboxed).union(modules.map(\.name))
    }

    /// The globals of the sandboxed profile, Lunas' modules included.
    public static let sandboxed: Set<String> = standardGlobals(.sandboxed).union(lunasModules)

    /// The globals of the trusted profile, Lunas' modules included.
    public static let trusted: Set<String> = standardGlobals(.trusted).union(lunasModules)

    /// The globals every run may have besides the profile's: `print`, `log` and `json` in every
    /// state, `arg`, `kv` and `scalev` when granted, `config`, `http`, `sleep` and
    /// `deadline_remaining`, `input` and `output` when granted, and a rules file's `on`, `cron`,
    /// `every`, `job`, `after` and `at`.
    static let lunasModules: Set<String> = Set(["arg", "json", "kv", "log", "print", "scalev"])
        .union(ScriptRun.toolkitGlobals).union(RuleRegistry.globals)

    /// The fields of the global table `global` in `state`, as dotted paths.
    static func fieldPaths(of global: String, in state: LuaState) throws -> Set<String> {
        let listed = try state.call("""
            local paths = {}
            local function walk(t, prefix)
              for name, value in pairs(t) do
                paths[#paths + 1] = prefix .. name
                if type(value) == "table" then walk(value, prefix .. name .. ".") end
              end
            end
            walk(_ENV[...], "")
            return table.concat(paths, "\\n")
            """, name: "=lunas.check", arguments: [.string(LuaString(global))])
        return Set((listed.first?.stringValue ?? "").split(separator: "\n").map(String.init))
    }

    /// The globals a fresh state of `profile` defines.
    private static func standardGlobals(_ profile: LuaProfile) -> Set<String> {
        guard let state = try? LuaState(profile: profile),
              let listed = try? state.call("""
                  local names = {}
                  for name in pairs(_G) do names[#names + 1] = name end
                  return table.concat(names, "\\n")
                  """, name: "=lunas.globals").first?.stringValue else { return [] }
        return Set(listed.split(separator: "\n").map(String.init))
    }

    /// Reads of globals that the chunk never assigns and the profile does not define, each with
    /// the nearest known name when one is close.
    public func undefinedReads(in chunk: LuaChunk) -> [(access: GlobalAccess, suggestion: String?)] {
        let known = names
        let accesses = chunk.globalAccesses()
        let assigned = Set(accesses.filter(\.isWrite).map(\.name))
        let candidates = known.union(assigned)
        return accesses
            .filter { !$0.isWrite && !candidates.contains($0.name) }
            .sorted { $0.line < $1.line }
            .map { ($0, Self.nearest(to: $0.name, in: candidates)) }
    }

    /// Reads of fields that a module does not have (`scalev.order`, `scalev.orders.eachh`), each
    /// with the nearest field it has; globals the chunk assigns are its own and not checked.
    public func unknownFields(in chunk: LuaChunk) -> [(access: GlobalAccess, path: String, suggestion: String?)] {
        let modules = fields
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
                    let hint = Self.nearest(to: field, in: siblings).map { "\(access.name).\(prefix.isEmpty ? "" : prefix + ".")\($0)" }
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
