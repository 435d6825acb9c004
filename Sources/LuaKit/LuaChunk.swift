import CLua
import Foundation
import Synchronization

/// Compiled Lua code, ready to run in any state: the bytecode the host produced from source
/// text. Scripts can never hand the host bytecode; only ``LuaState/compile(_:name:)`` makes it.
public struct LuaChunk: Sendable {
    /// The chunk's name as Lua shows it in messages (`@scripts/vip.lua` shows `scripts/vip.lua`).
    public let name: String
    let bytecode: [UInt8]
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
/// `a/b/init.lua`. Names with anything but letters, digits, `_`, `-` and dots are refused, so a
/// module name cannot climb out of its folder.
public struct LuaModulePaths: Sendable {
    /// The folders, searched in order.
    public var folders: [String]

    /// Module paths with these folders.
    public init(_ folders: [String] = []) { self.folders = folders }

    /// The file a module name resolves to, and the paths that were tried.
    public func resolve(_ name: String) -> (file: String?, tried: [String]) {
        let valid = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || "_-.".contains($0) }
            && !name.hasPrefix(".") && !name.hasSuffix(".") && !name.contains("..")
        guard valid else { return (nil, []) }
        let relative = name.replacingOccurrences(of: ".", with: "/")
        var tried: [String] = []
        for folder in folders {
            for candidate in ["\(folder)/\(relative).lua", "\(folder)/\(relative)/init.lua"] {
                tried.append(candidate)
                if FileManager.default.isReadableFile(atPath: candidate) { return (candidate, tried) }
            }
        }
        return (nil, tried)
    }
}

extension LuaState {
    /// Compiles source text (never bytecode) into a chunk, or throws a syntax error whose
    /// message is `name:line: message`.
    public func compile(_ source: some Collection<UInt8>, name: String) throws -> LuaChunk {
        try withSoftAllocator { try compile(Array(source), name: name, on: L) }
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
        guard let file else {
            call.pushNil()
            call.push(tried.isEmpty ? " invalid module name" : tried.map { "\n\tno file '\($0)'" }.joined())
            return 2
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw LuaError(.usage, "cannot read module file \(file)")
        }
        let chunk = try compile(Array(data), name: "@\(file)", on: call.L)
        let status = chunk.bytecode.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { clua_load_binary(call.L, $0.baseAddress, $0.count, chunk.name) }
        }
        guard status == LUA_OK else { throw LuaError(.usage, "cannot load module \(name)") }
        call.push(file)
        return 2
    }
}
