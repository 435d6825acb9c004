/// What scripts' `http` may reach and send (`[http]` in `lunas.toml`).
///
/// ```toml
/// [http]
/// allow = ["hooks.slack.com", "*.example.com", "127.0.0.1"]
/// max_response_bytes = 1048576
/// ```
public struct HTTPSettings: Sendable, Equatable {
    /// The hosts scripts may reach (``HTTPAllowList``): exact names or addresses, `*.example.com`
    /// for the names under a domain, `*` for any public host. Empty: `http` reaches nothing.
    public var allow: [String]
    /// The longest answer body a call may receive, in bytes (default 1 MiB); a longer one is an error.
    public var maxResponseBytes: Int
    /// The longest request body a call may send, in bytes (default 1 MiB).
    public var maxRequestBytes: Int
    /// A call's timeout when the script gives none (default 10 s); the run's deadline bounds it too.
    public var timeout: Duration

    /// The most either body bound may be set to (64 MiB).
    public static let largestBody = 64 << 20
    /// The longest timeout a call may have (10 minutes).
    public static let longestTimeout: Duration = .seconds(600)

    /// Settings; by default nothing is allowed.
    public init(allow: [String] = [], maxResponseBytes: Int = 1 << 20, maxRequestBytes: Int = 1 << 20, timeout: Duration = .seconds(10)) {
        self.allow = allow
        self.maxResponseBytes = maxResponseBytes
        self.maxRequestBytes = maxRequestBytes
        self.timeout = timeout
    }
}

extension HTTPSettings {
    init(section: TOMLSection) throws {
        try section.allow(["allow", "max_response_bytes", "max_request_bytes", "timeout"])
        self.init()
        if let allow = try section.strings("allow") {
            for entry in allow {
                if let problem = HTTPAllowList.problem(with: entry) { throw section.error("allow", "entry '\(entry)' \(problem)") }
            }
            self.allow = allow
        }
        for (key, path) in [("max_response_bytes", \HTTPSettings.maxResponseBytes), ("max_request_bytes", \HTTPSettings.maxRequestBytes)] {
            guard let bytes = try section.integer(key) else { continue }
            guard (1...Self.largestBody).contains(bytes) else {
                throw section.error(key, "must be between 1 and \(Self.largestBody) bytes (64 MiB), not \(bytes)")
            }
            self[keyPath: path] = bytes
        }
        if let timeout = try section.duration("timeout") {
            guard timeout <= Self.longestTimeout else { throw section.error("timeout", "must be at most 600 seconds") }
            self.timeout = timeout
        }
    }
}
