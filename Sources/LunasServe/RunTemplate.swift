import LunasRuntime

/// How the runner's runs are made — limits, credentials and `kv` namespace — as `lunas run`
/// makes them: a rules file's `[scripts.NAME]` entry applies to its runs.
public struct RunTemplate: Sendable {
    /// The credentials runs are granted: `.configured` from `lunas.toml` and the environment,
    /// or `.sandbox` for `lunas serve --sandbox`.
    public var credentials: RunCredentials
    /// The deadline of a run whose entry sets none.
    public var deadline: Duration = .seconds(60)
    /// The memory cap of a run whose entry sets none, in bytes.
    public var memory: Int = 64 << 20

    /// A template granting `credentials`.
    public init(credentials: RunCredentials) {
        self.credentials = credentials
    }

    /// The request for one run of the rules file `script`, with `credential` (nil: the
    /// configured default) as its default credential.
    func request(source: ScriptSource, script: String, credential: String?, configuration: LunasConfiguration, output: ScriptOutput) -> RunRequest {
        let entry = configuration.scripts[script]
        var options = ScriptOptions(
            limits: LuaLimits(memory: (entry?.memory.map { $0 << 20 }) ?? memory,
                              deadline: entry?.timeout.flatMap { LuaLimits.deadline(seconds: $0) } ?? deadline))
        options.namespace = script
        options.sharedNamespaces = entry?.shared ?? []
        options.maxCalls = entry?.maxCalls
        var request = RunRequest(source: source, options: options, output: output)
        request.script = script
        request.credentials = switch credentials {
        case .none: .none
        case .configured(let fallback): .configured(default: credential ?? fallback)
        case .sandbox(let account, let fallback): .sandbox(account, default: credential ?? fallback)
        }
        return request
    }
}
