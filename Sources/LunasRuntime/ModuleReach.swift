import LuaKit

/// Which modules a run's chunk can reach, read from its bytecode: the globals it names, or every
/// global when it can reach ones it does not name — it reads `_G`, takes `_ENV` as a value, or
/// runs code compiled later (`require`, `load`, `dofile`, `loadfile`), or runs trusted (the
/// `debug` library reaches everything). A module the chunk cannot reach is not installed, so a
/// run that never touches `scalev` or `kv` pays nothing for them.
struct ModuleReach {
    private let reads: [String: Int]
    private let everything: Bool

    /// The globals through which a chunk reaches code or globals it does not name.
    static let openings: Set<String> = ["_G", "require", "load", "dofile", "loadfile"]

    init(chunk: LuaChunk, profile: LuaProfile) {
        var reads: [String: Int] = [:]
        for access in chunk.globalAccesses() where !access.isWrite {
            reads[access.name] = min(reads[access.name] ?? access.line, access.line)
        }
        self.reads = reads
        everything = profile == .trusted || chunk.readsEnvironment || !Self.openings.isDisjoint(with: reads.keys)
    }

    /// Whether the chunk may read the global `name`.
    func reaches(_ name: String) -> Bool { everything || reads[name] != nil }

    /// Whether the chunk reads the global `name` by name.
    func names(_ name: String) -> Bool { reads[name] != nil }

    /// The first line that reads the global `name` by name.
    func firstRead(of name: String) -> Int? { reads[name] }
}
