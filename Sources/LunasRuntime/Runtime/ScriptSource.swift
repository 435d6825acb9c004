/// The Lua source of a run: a file, or text a host holds (a merchant's rule from its database)
/// under a chunk name that error positions and tracebacks use.
public enum ScriptSource: Sendable, Equatable {
    /// A script file; `require` searches its folder first.
    case file(String)
    /// Source text named `chunkName` (e.g. `pricing.lua`: errors read `pricing.lua:3: ...`);
    /// `require` searches the runtime's working directory first.
    case text(String, chunkName: String)
    /// Source text held in memory — a stored version of the script file `file` — named and
    /// resolved exactly as ``file(_:)`` of `file` is (`require` searches its folder first; errors
    /// read `file:line`), whatever the file on disk holds now.
    case snapshot(String, file: String)

    /// The name the script is known by: the file's path, or the chunk name.
    public var name: String {
        switch self {
        case .file(let path): path
        case .text(_, let chunkName): chunkName
        case .snapshot(_, let file): file
        }
    }
}
