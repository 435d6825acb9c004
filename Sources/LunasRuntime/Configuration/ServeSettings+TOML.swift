import LunasSchedule
import TOMLKit

extension ServeSettings {
    init(section: TOMLSection) throws {
        try section.allow(["rules", "listen", "concurrency", "grace", "lease", "retention", "run_log_lines"])
        self.init()
        if let rules = try section.strings("rules") {
            guard !rules.isEmpty else { throw section.error("rules", "is empty: name at least one folder of rules files, like [\"rules\"]") }
            self.rules = rules
        }
        if let listen = try section.string("listen") {
            guard ListenAddress(listen) != nil else {
                throw section.error("listen", "is '\(listen)'; write HOST:PORT, like \"127.0.0.1:8790\" (port 0 picks a free one)")
            }
            self.listen = listen
        }
        if let concurrency = try section.integer("concurrency") {
            guard (1...10_000).contains(concurrency) else { throw section.error("concurrency", "must be between 1 and 10000 runs, not \(concurrency)") }
            self.concurrency = concurrency
        }
        if let grace = try section.duration("grace") { self.grace = grace }
        if let lease = try section.duration("lease") {
            guard lease >= .seconds(3) else { throw section.error("lease", "must be at least 3 seconds (it is renewed every third of it)") }
            self.lease = lease
        }
        if let retention = try section.duration("retention") { self.retention = retention }
        if let lines = try section.integer("run_log_lines") {
            guard (0...1_000_000).contains(lines) else { throw section.error("run_log_lines", "must be between 0 and 1000000, not \(lines)") }
            runLogLines = lines
        }
    }
}

extension WebhookSource {
    init(name: String, section: TOMLSection) throws {
        try section.allow(["secret_env", "credential", "max_body"])
        guard let secret = try section.string("secret_env") else {
            throw section.error("secret_env", "is missing: name the environment variable holding the webhook signing secret (secret_env = \"SCALEV_WEBHOOK_SECRET\")")
        }
        self.init(name: name, secretEnvironment: secret, credential: try section.string("credential"))
        if let bytes = try section.integer("max_body") {
            guard (1...(64 << 20)).contains(bytes) else { throw section.error("max_body", "must be between 1 and \(64 << 20) bytes, not \(bytes)") }
            maxBodyBytes = bytes
        }
    }
}

/// `HOST:PORT`, as `listen` takes it.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// Parses `HOST:PORT` (the host may be `[v6]`); `nil` when it is not one.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension TOMLSection {
    /// A duration: seconds as a number (`30`, `0.5`), or a string with a unit (`"30s"`, `"15m"`, `"2h"`, `"1d"`).
    func duration(_ name: String) throws -> Duration? {
        guard let value = table[name]?.tomlValue else { return nil }
        let usage = "must be a duration: seconds as a number (30), or a string with a unit s, m, h or d (\"30s\", \"15m\")"
        if let seconds = value.int {
            guard seconds > 0 else { throw error(name, "\(usage), more than 0") }
            return .seconds(seconds)
        }
        if let seconds = value.double {
            guard seconds.isFinite, seconds > 0, seconds < 1e12 else { throw error(name, "\(usage), more than 0") }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        guard let text = value.string else { throw error(name, usage) }
        do {
            return .seconds(try EverySpec(parsing: text).seconds)
        } catch {
            throw self.error(name, "is \"\(text)\"; it \(usage)")
        }
    }
}
