import Foundation
import LuaKit

/// The host's own Lua code, kept as `.lua` files in the package's resources
/// (`Sources/LunasRuntime/Lua`), read once per process.
///
/// Each chunk is compiled under the name `=lunas.NAME`, which error positions and tracebacks
/// skip, so that an error raised inside a wrapper names the script's line.
enum HostChunk: String, CaseIterable, Sendable {
    /// The Lua side of `kv`.
    case kv
    /// The Lua side of `scalev`.
    case scalev
    /// The Lua side of `http`.
    case http
    /// The read-only `config` table.
    case config
    /// The Lua side of `input` and `output`.
    case files

    /// The chunk name it is compiled under.
    var chunkName: String { "=lunas.\(rawValue)" }

    /// Its source text.
    func source() throws -> String {
        switch self {
        case .kv: try kvSource.get()
        case .scalev: try scalevSource.get()
        case .http: try httpSource.get()
        case .config: try configSource.get()
        case .files: try filesSource.get()
        }
    }

    /// Compiles the chunk in `state` and runs it.
    func run(in state: LuaState) throws {
        _ = try state.call(state.compile(source(), name: chunkName))
    }

    fileprivate static func read(_ name: String) -> Result<String, LuaError> {
        guard let url = Bundle.module.url(forResource: name, withExtension: "lua", subdirectory: "Lua"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            return .failure(LuaError(.runtime, "the host's Lua module '\(name).lua' is missing from the installation (LunasRuntime's resources)"))
        }
        return .success(text)
    }
}

private let kvSource = HostChunk.read(HostChunk.kv.rawValue)
private let scalevSource = HostChunk.read(HostChunk.scalev.rawValue)
private let httpSource = HostChunk.read(HostChunk.http.rawValue)
private let configSource = HostChunk.read(HostChunk.config.rawValue)
private let filesSource = HostChunk.read(HostChunk.files.rawValue)
