import Foundation
import LuaKit
import Synchronization

/// The global `input`: the one file the operator granted the run for reading (`lunas run
/// --input FILE`, ``RunRequest/inputFile``). `input.text()` gives the whole file, `input.lines()`
/// an iterator over its lines (without `\n` or `\r\n`); each call reads the file again. A file
/// larger than ``ScriptOptions/maxInputBytes`` is an error.
struct InputModule: ScriptModule {
    var name: String { "input" }
    var fields: Set<String> { Self.knownFields }
    static let knownFields: Set<String> = ["text", "lines"]

    let file: URL
    let maxBytes: Int

    func install(in state: LuaState) throws {
        let file = self.file, maxBytes = self.maxBytes
        state.register("__input.text") { _ in
            let path = file.path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            guard let size else { throw LuaError(.runtime, "input: cannot read \(file.lastPathComponent): no such file, or not readable") }
            guard size <= maxBytes else {
                throw LuaError(.runtime, "input: \(file.lastPathComponent) is \(size) bytes, more than the \(HTTPExchange.bytes(maxBytes)) a run may read")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LuaError(.runtime, "input: cannot read \(file.lastPathComponent): no such file, or not readable")
            }
            guard data.count <= maxBytes else {
                throw LuaError(.runtime, "input: \(file.lastPathComponent) is more than the \(HTTPExchange.bytes(maxBytes)) a run may read")
            }
            return [.string(LuaString(bytes: data))]
        }
        try HostChunk.files.run(in: state)
    }
}

/// The global `output`: the one file the operator granted the run for writing (`lunas run
/// --output FILE`, ``RunRequest/outputFile``). `output.write(...)` appends its strings and
/// numbers; the file is created, or emptied, at the run's first write — a run that writes nothing
/// leaves it as it was. A run writes at most ``ScriptOptions/maxOutputBytes``; a write past that
/// is an error and writes nothing. In a dry run nothing is written: each write is reported
/// instead, its first 600 characters shown.
struct OutputModule: ScriptModule {
    var name: String { "output" }
    var fields: Set<String> { Self.knownFields }
    static let knownFields: Set<String> = ["write"]

    let sink: OutputFile

    func install(in state: LuaState) throws {
        let sink = self.sink
        state.register("__output.write") { call in
            try sink.write(Array(call.stringBytes(1) ?? UnsafeRawBufferPointer(start: nil, count: 0)))
            return []
        }
        try HostChunk.files.run(in: state)
    }
}

/// The file behind a run's `output`, opened at its first write.
final class OutputFile: Sendable {
    let file: URL
    let maxBytes: Int
    /// In a dry run, where each write is reported instead (redacted by the caller).
    let dryRun: (@Sendable (String) -> Void)?

    private struct State {
        var handle: FileHandle?
        var written = 0
        var shown = 0
    }

    private let state = Mutex(State())

    /// The longest part of one write a dry run shows, in characters.
    static let shownLength = 600
    /// The most a dry run shows of all its writes, in bytes; later writes are reported by size only.
    static let shownTotal = 64 << 10

    init(file: URL, maxBytes: Int, dryRun: (@Sendable (String) -> Void)?) {
        self.file = file
        self.maxBytes = maxBytes
        self.dryRun = dryRun
    }

    deinit {
        state.withLock { try? $0.handle?.close() }
    }

    func write(_ bytes: [UInt8]) throws {
        let name = file.lastPathComponent
        let report: String? = try state.withLock { state in
            guard bytes.count <= maxBytes - state.written else {
                throw LuaError(.runtime, "output.write: \(name) would pass the \(HTTPExchange.bytes(maxBytes)) a run may write; nothing of this write was written")
            }
            state.written += bytes.count
            if dryRun != nil {
                var line = "dry run: output.write of \(bytes.count) bytes to \(name) (not written)"
                if state.shown < Self.shownTotal, !bytes.isEmpty {
                    let text = String(decoding: bytes, as: UTF8.self)
                    let shown = text.count > Self.shownLength ? String(text.prefix(Self.shownLength)) + "…" : text
                    state.shown += shown.utf8.count
                    line += ": " + shown.debugDescription
                }
                return line
            }
            if state.handle == nil {
                guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = FileHandle(forWritingAtPath: file.path) else {
                    throw LuaError(.runtime, "output.write: cannot write \(name): its folder does not exist or is not writable")
                }
                state.handle = handle
            }
            do {
                try state.handle?.write(contentsOf: bytes)
            } catch {
                throw LuaError(.runtime, "output.write: cannot write \(name) (\(error.localizedDescription))")
            }
            return nil
        }
        if let report { dryRun?(report) }
    }
}
