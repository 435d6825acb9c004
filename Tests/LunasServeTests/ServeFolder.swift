import Foundation
import AsyncHTTPClient
import LunasTesting

/// A folder for a `lunas serve` test: `rules/NAME.lua` files and a `lunas.toml` (store `store`,
/// by default the SQLite file `lunas.db`; port 0, the `scalev` webhook source), removed when the test's scope ends.
struct ServeFolder {
    let url: URL

    init(rules: [String: String], grace: String = "5s", lease: String = "6s", store: String = "lunas.db", serve: String = "",
         toml extra: String = "") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("lunas-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("rules"), withIntermediateDirectories: true)
        for (name, source) in rules {
            try Data(source.utf8).write(to: url.appendingPathComponent("rules/\(name).lua"))
        }
        let toml = """
            store = "\(store)"

            [serve]
            listen = "127.0.0.1:0"
            grace = "\(grace)"
            lease = "\(lease)"
            \(serve)

            [webhooks.scalev]
            secret_env = "SCALEV_WEBHOOK_SECRET"
            \(extra)
            """
        try Data(toml.utf8).write(to: url.appendingPathComponent("lunas.toml"))
        let folder = url
        TestScope.adopt { try? FileManager.default.removeItem(at: folder) }
    }
}

/// Runs `lunas` to its end in a folder.
enum LunasCommand {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    static func run(_ arguments: [String], in folder: URL) throws -> Outcome {
        let process = Process()
        process.executableURL = ServeProcess.packageRoot.appendingPathComponent(".build/debug/lunas")
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = Thread.detached { err.fileHandleForReading.readDataToEndOfFile() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                       stderr: String(decoding: errors.value, as: UTF8.self))
    }
}

extension Thread {
    /// Runs `body` on a new thread; `value` waits for its result.
    final class Result<T: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: T?
        fileprivate func set(_ value: T) { result = value; done.signal() }
        var value: T {
            done.wait()
            done.signal()
            return result!
        }
    }

    static func detached<T: Sendable>(_ body: @escaping @Sendable () -> T) -> Result<T> {
        let result = Result<T>()
        Thread.detachNewThread { result.set(body()) }
        return result
    }
}

extension ServeProcess {
    /// The JSON object of a line, any value types.
    static func anyFields(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

extension SandboxHarness {
    /// POSTs `body` to `url` with `signature` as `X-Scalev-Hmac-Sha256` (none when `nil`).
    func post(_ url: String, body: [UInt8], signature: String?) async throws -> SandboxReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let signature { request.headers.add(name: "X-Scalev-Hmac-Sha256", value: signature) }
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return SandboxReply(status: Int(response.status.code), headers: [:], body: Array(bytes.readableBytesView))
    }
}
