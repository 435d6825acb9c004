extension Runtime {
    /// Runs the top level of `request.source` with `on`, `cron`, `every`, `job`, `after` and `at`
    /// installed, and returns what it registered under the name `script` (the file's path
    /// relative to its rules folder, without `.lua`), with the exact source that ran.
    ///
    /// A top level that calls `scalev` or `kv`, registers a bad spec or option, or sets a timer
    /// fails at its line (``RulesError/load(_:)``); one that registers nothing is not a rules file
    /// (``RulesError/noRules(script:file:)``).
    public func loadRules(_ request: RunRequest, script: String) async -> Result<RuleSet, RulesError> {
        var request = request
        request.handler = nil
        request.rule = nil
        let (result, performance) = await perform(request, rules: RuleRun(mode: .load, script: script, clock: configuration.clock))
        guard let performance else { return .failure(.load(result.outcome)) }
        switch performance.values {
        case .success:
            return .success(RuleSet(script: script, file: request.source.name, source: performance.source ?? "", rules: performance.rules))
        case .failure(let error as RulesError):
            return .failure(error)
        case .failure:
            return .failure(.load(result.outcome))
        }
    }
}
