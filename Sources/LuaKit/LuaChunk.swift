import CLua
import Foundation
import Synchronization

/// Compiled Lua code, ready to run in any state: the bytecode the host produced from source
/// text. Scripts can never hand the host bytecode; only ``LuaState/compile(_:name:)`` makes it.
public struct LuaChunk: Sendable {
    /// The chunk's name as Lua shows it in messages (`@scripts/vip.lua` shows `scripts/vip.lua`).
    public let name: String
    let bytecode: [UInt8]
    /// What its bytecode says of its globals, read once per compiled chunk (copies share it).
    let globalUse = GlobalUseCache()
}

/// Compiled chunks shared between states, keyed by name and source text, so a fresh state per
/// run does not compile the same script again.
public final class ChunkCache: Sendable {
    private struct Entry {
        let source: [UInt8]
        let chunk: LuaChunk
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// An empty cache.
    public init() {}

    func chunk(name: String, source: [UInt8]) -> LuaChunk? {
        entries.withLock { entries in
            guard let entry = entries[name], entry.source == source else { return nil }
            return entry.chunk
        }
    }

    func store(_ chunk: LuaChunk, source: [UInt8]) {
        entries.withLock { $0[chunk.name] = Entry(source: source, chunk: chunk) }
    }
}

/// Where `require` looks for modules: folders searched in order, `a.b` as `a/b.lua` or
/// `a/b/init.lua`. In the sandbox, names with anything but letters, digits, `_`, `-` and dots
/// are refused, so a module name cannot climb out of its folder; the trusted profile's `require`
/// is Lua's own, with these folders first in `package.path`.
///
/// A sandboxed script never sees where a folder is on the host: its modules' chunk names, the
/// file name a module receives and the "module not found" list name each file by the folder's
/// ``Folder/shownAs`` and the file's path inside it (`stdlib/lunas/money.lua`).
public struct LuaModulePaths: Sendable {
    /// A folder `require` searches, and the name sandboxed scripts know it by.
    public struct Folder: Sendable, Equatable {
        /// Where the folder is.
        public var path: String
        /// What stands for ``path`` in what a sandboxed script sees; empty: files show by their
        /// path inside the folder alone.
        public var shownAs: String

        /// A folder shown by `shownAs`, by default by its own name (`/srv/app/lib` shows `lib`).
        public init(_ path: String, shownAs: String? = nil) {
            self.path = path
            self.shownAs = shownAs ?? (path as NSString).lastPathComponent
        }
    }

    /// A module file: where it is, and how a sandboxed script sees it.
    public struct File: Sendable, Equatable {
        /// The file on the host.
        public let path: String
        /// Its folder's ``Folder/shownAs`` and its path inside the folder.
        public let shown: String
    }

    /// The folders, searched in order.
    public var folders: [Folder]

    /// Module paths with these folders, each shown by its own name.
    public init(_ folders: [String] = []) { self.folders = folders.map { Folder($0) } }

    /// Module paths with these folders.
    public init(folders: [Folder]) { self.folders = folders }

    /// The folders as `package.path` templates (`scripts/?.lua;scripts/?/init.lua;...`). A folder
    /// whose name holds `;` or `?` cannot be written as a template and is left out.
    public var searchPath: String {
        folders.map(\.path).filter { !$0.contains(";") && !$0.contains("?") }
            .flatMap { ["\($0)/?.lua", "\($0)/?/init.lua"] }
            .joined(separator: ";")
    }

    /// The file a module name resolves to, and the files that were tried.
    public func resolve(_ name: String) -> (file: File?, tried: [File]) {
        let valid = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) }
            && !name.hasPrefix(".") && !name.hasSuffix(".") && !name.contains("..")
        guard valid else { return (nil, []) }
        let relative = name.replacingOccurrences(of: ".", with: "/")
        var tried: [File] = []
        for folder in folders {
            for inside in ["\(relative).lua", "\(relative)/init.lua"] {
                let candidate = File(path: "\(folder.path)/\(inside)", shown: folder.shownAs.isEmpty ? inside : "\(folder.shownAs)/\(inside)")
                tried.append(candidate)
                if FileManager.default.isReadableFile(atPath: candidate.path) { return (candidate, tried) }
            }
        }
        return (nil, tried)
    }
}

extension LuaState {
    /// Compiles source text (never bytecode) into a chunk, or throws a syntax error whose
    /// message is `name:line: message`.
    public func compile(_ source: some Collection<UInt8>, name: String) throws -> LuaChunk {
        try enter()
        return try withSoftAllocator { try compile(Array(source), name: name, on: L) }
    }

    func compile(_ bytes: [UInt8], name: String, on L: OpaquePointer) throws -> LuaChunk {
        if let cached = chunkCache?.chunk(name: name, source: bytes) { return cached }
        let status = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { clua_load_text(L, $0.baseAddress, $0.count, name) }
        }
        guard status == LUA_OK else {
            let message = LuaStack(L: L).describeError(at: -1)
            clua_pop(L, 1)
            throw LuaError(status == LUA_ERRMEM ? .limit(.memory(bytes: limits.memory ?? 0)) : .syntax, message)
        }
        var output: UnsafeMutablePointer<CChar>?
        var length = 0
        defer { free(output) }
        guard clua_dump(L, &output, &length) == 0, let output else {
            clua_pop(L, 1)
            throw LuaError(.usage, "cannot dump the compiled chunk \(name)")
        }
        clua_pop(L, 1)
        let chunk = LuaChunk(name: name, bytecode: Array(UnsafeRawBufferPointer(start: output, count: length)))
        chunkCache?.store(chunk, source: bytes)
        return chunk
    }

    /// Compiles a string of Lua source.
    public func compile(_ source: String, name: String = "=(chunk)") throws -> LuaChunk {
        try compile(Array(source.utf8), name: name)
    }

    /// Pushes the chunk as a function onto the main stack.
    func pushChunk(_ chunk: LuaChunk) throws {
        let status = chunk.bytecode.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { clua_load_binary(L, $0.baseAddress, $0.count, chunk.name) }
        }
        guard status == LUA_OK else {
            let message = popErrorMessage()
            throw LuaError(status == LUA_ERRMEM ? .limit(.memory(bytes: limits.memory ?? 0)) : .usage, message)
        }
    }

    /// The searcher behind `require`: returns the module's chunk and file name, or nil and the
    /// list of places tried.
    func searchModule(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        let (file, tried) = modules.resolve(name)
        // trusted code may know the host's paths; a sandboxed script sees only the shown names
        let shown = { (file: LuaModulePaths.File) in self.profile == .trusted ? file.path : file.shown }
        guard let file else {
            call.pushNil()
            call.push(tried.isEmpty ? " invalid module name" : tried.map { "\n\tno file '\(shown($0))'" }.joined())
            return 2
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw LuaError(.usage, "cannot read module file \(shown(file))")
        }
        let chunk = try compile(Array(data), name: "@\(shown(file))", on: call.L)
        let status = chunk.bytecode.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { clua_load_binary(call.L, $0.baseAddress, $0.count, chunk.name) }
        }
        guard status == LUA_OK else { throw LuaError(.usage, "cannot load module \(name)") }
        call.push(shown(file))
        return 2
    }
}
