/// What `lunas serve` reads from `[serve]` in `lunas.toml`: where the rules are, where it listens,
/// how many runs it holds at once, and how it shuts down and leases its jobs.
public struct ServeSettings: Sendable, Equatable {
    /// Folders whose `*.lua` files (searched recursively) are rules files (`rules`).
    public var rules: [String] = ["rules"]
    /// `HOST:PORT` of the webhook, health and metrics endpoints (`listen`).
    public var listen: String = "127.0.0.1:8790"
    /// Runs at once (`concurrency`): they mostly wait on the API, so this can be large.
    public var concurrency: Int = 64
    /// On SIGTERM: how long runs in flight may finish before they are cancelled and their jobs
    /// go back to the queue (`grace`).
    public var grace: Duration = .seconds(30)
    /// A claimed job's lease (`lease`); the runner renews it every third of it while it runs.
    public var lease: Duration = .seconds(30)
    /// How long run history is kept (`retention`); older runs and their logs are pruned.
    public var retention: Duration = .seconds(30 * 86_400)
    /// The most log lines kept per run (`run_log_lines`); the rest are counted, not kept.
    public var runLogLines: Int = 1000

    /// The defaults.
    public init() {}
}

/// A webhook source (`[webhooks.NAME]`, served at `POST /webhooks/NAME`): the environment variable
/// holding its signing secret and the credential its handlers' runs use.
public struct WebhookSource: Sendable, Equatable {
    /// Its name, the last part of its path.
    public var name: String
    /// The environment variable holding the signing secret (`secret_env`).
    public var secretEnvironment: String
    /// The credential its handlers' runs use (`credential`; `nil`: the default credential).
    public var credential: String?
    /// The largest body accepted, in bytes (`max_body`; default 1 MiB); larger ones get 413.
    public var maxBodyBytes: Int = 1 << 20

    /// A source.
    public init(name: String, secretEnvironment: String, credential: String? = nil) {
        self.name = name
        self.secretEnvironment = secretEnvironment
        self.credential = credential
    }
}
