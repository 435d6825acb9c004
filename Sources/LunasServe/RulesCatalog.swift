import Foundation
import LunasRuntime
import LunasStore

/// The rules files a runner serves: the last good version of each (what its top level
/// registered, and its source, stored by content hash), and why a newer edit did not load.
/// ``reload()`` reads the folders again (at start and on SIGHUP): a file that no longer compiles
/// keeps its last good version.
public actor RulesCatalog {
    private let runtime: Runtime
    private let folders: RulesFolders
    private let template: RunTemplate
    private let store: @Sendable () async throws -> any RunnerStore
    /// Each rules file's current version, by its name.
    public private(set) var files: [String: RuleSet] = [:]
    /// Why a file's newest edit is not served (its last good version is), by its name.
    public private(set) var problems: [String: String] = [:]
    private var versions: [String: RuleSet] = [:]
    /// Whether a load has completed.
    public private(set) var loaded = false

    init(runtime: Runtime, folders: RulesFolders, template: RunTemplate, store: @escaping @Sendable () async throws -> any RunnerStore) {
        self.runtime = runtime
        self.folders = folders
        self.template = template
        self.store = store
    }

    /// What a reload changed.
    public struct Reload: Sendable {
        /// Files served for the first time or with a new version.
        public var loaded: [String] = []
        /// Files no longer in the folders (their queued jobs still run their stored version).
        public var removed: [String] = []
        /// Files whose newest edit failed, with why (their last good version, if any, stays).
        public var failed: [(script: String, problem: String)] = []
    }

    /// Reads every rules file again; throws only when the folders themselves cannot be read.
    @discardableResult
    public func reload() async throws -> Reload {
        var report = Reload()
        let found = try folders.files()
        var next: [String: RuleSet] = [:]
        var owners: [String: String] = [:]
        for file in found {
            var request = template.request(source: .file(file.path), script: file.script, credential: nil,
                                           configuration: runtime.configuration.lunas, output: RunTranscript().output)
            request.options.limits.deadline = .seconds(5)
            switch await runtime.loadRules(request, script: file.script) {
            case .success(let rules):
                if let clash = rules.rules.first(where: { owners[$0.name] != nil }) {
                    let problem = "\(file.path): the rule name '\(clash.name)' is taken by \(owners[clash.name] ?? "another file"); give one a { name = \"...\" } of its own"
                    report.failed.append((file.script, problem))
                    problems[file.script] = problem
                    if let previous = files[file.script] { next[file.script] = previous }
                    continue
                }
                for rule in rules.rules { owners[rule.name] = file.script }
                do {
                    try await store().saveScriptVersion(ScriptVersion(hash: rules.version, script: rules.script, source: rules.source))
                } catch {
                    let problem = "\(file.path): cannot store its source: \(error)"
                    report.failed.append((file.script, problem))
                    problems[file.script] = problem
                    if let previous = files[file.script] { next[file.script] = previous }
                    continue
                }
                if files[file.script]?.version != rules.version { report.loaded.append(file.script) }
                next[file.script] = rules
                versions[rules.version] = rules
                problems[file.script] = nil
            case .failure(let error):
                let problem = String(describing: error)
                report.failed.append((file.script, problem))
                problems[file.script] = problem
                if let previous = files[file.script] {
                    next[file.script] = previous
                    for rule in previous.rules { owners[rule.name] = file.script }
                }
            }
        }
        report.removed = files.keys.filter { next[$0] == nil }.sorted()
        for script in report.removed { problems[script] = nil }
        files = next
        loaded = true
        return report
    }

    /// The rules whose pattern matches `event`, with their files, in file then registration order.
    public func handlers(for event: String) -> [(RuleSet, Rule)] {
        files.keys.sorted().flatMap { script in files[script].map { set in set.rules(matching: event).map { (set, $0) } } ?? [] }
    }

    /// Every cron and `every` rule, with its file.
    public func schedules() -> [(RuleSet, Rule)] {
        files.keys.sorted().flatMap { script in files[script].map { set in set.schedules.map { (set, $0) } } ?? [] }
    }

    /// The source of a version and the path it runs as: from memory, else from the store.
    func source(ofVersion hash: String) async throws -> (script: String, file: String, source: String)? {
        if let set = versions[hash] { return (set.script, set.file, set.source) }
        guard let stored = try await store().scriptVersion(hash: hash) else { return nil }
        let file = files[stored.script]?.file ?? folders.path(of: stored.script)
        return (stored.script, file, stored.source)
    }
}
