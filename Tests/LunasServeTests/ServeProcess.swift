import Foundation
import Synchronization

/// A `lunas serve` process for a test: started in its own folder, its standard error read line
/// by line (its log is JSON lines there), stopped with a signal.
final class ServeProcess: Sendable {
    /// The package root, where `.build/debug/lunas` is.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    let folder: URL
    private let process: Mutex<Process>
    private let lines: AsyncStream<String>
    private let seen = Mutex<[String]>([])
    private let exited: AsyncStream<Int32>

    /// Starts `lunas serve arguments...` in `folder` with `environment` added to the test's.
    init(folder: URL, arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = Self.packageRoot.appendingPathComponent(".build/debug/lunas")
        process.arguments = ["serve"] + arguments
        process.currentDirectoryURL = folder
        var env = ProcessInfo.processInfo.environment
        env["LUNAS_STDLIB"] = Self.packageRoot.appendingPathComponent("stdlib").path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let (exited, exitContinuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exitContinuation.yield($0.terminationStatus); exitContinuation.finish() }
        let (lines, continuation) = AsyncStream<String>.makeStream()
        // read on a thread of its own: the pipe's reads block
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0a) {
                    continuation.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            continuation.finish()
        }
        try process.run()
        self.folder = folder
        self.process = Mutex(process)
        self.lines = lines
        self.exited = exited
    }

    /// Every line read so far.
    var log: [String] { seen.withLock { $0 } }

    /// Reads lines until one satisfies `match` and returns it; `nil` when the process's standard
    /// error ended first (it exited).
    func line(where match: (String) -> Bool) async -> String? {
        for await line in lines {
            seen.withLock { $0.append(line) }
            if match(line) { return line }
        }
        return nil
    }

    /// The JSON object of a log line, or `nil` for a line that is not one.
    static func fields(_ line: String) -> [String: String]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
    }

    /// The port it listens on, read from its "listening on" line.
    func port() async -> Int? {
        guard let line = await line(where: { $0.contains("listening on http://") }),
              let colon = line.lastIndex(of: ":") else { return nil }
        return Int(line[line.index(after: colon)...].prefix { $0.isNumber })
    }

    /// Its process id (a runner's worker name is `host:pid`).
    var pid: Int32 { process.withLock { $0.processIdentifier } }

    /// Sends `signal` and returns at once; for a process whose log another task reads to its end
    /// (``stop(_:)`` drains it itself, and a stream has one reader). ``exitStatus()`` waits for it.
    func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Sends SIGKILL if it still runs (a test's teardown: nothing outlives the test).
    func killIfRunning() {
        process.withLock { process in
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// Waits for the process to exit and returns its status.
    func exitStatus() async -> Int32 {
        for await status in exited { return status }
        return -1
    }

    /// Sends `signal` and returns the exit status.
    func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        let pid = process.withLock { $0.processIdentifier }
        kill(pid, signal)
        // drain the log so that the process never blocks on a full pipe
        Task { for await line in lines { seen.withLock { $0.append(line) } } }
        for await status in exited { return status }
        return -1
    }
}
