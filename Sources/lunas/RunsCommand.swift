import ArgumentParser
import Foundation
import LunasRuntime
import LunasServe

/// `lunas runs`: the run history of `lunas serve` — list, show, replay.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The runs of lunas serve: list them, show one with its log, replay one.",
        discussion: """
            Examples:
              lunas runs list --outcome failed
              lunas runs list --script paid_orders --json
              lunas runs show 42
              lunas runs replay 42        the same stored version of the rules file, the same input
            """,
        subcommands: [List.self, Show.self, Replay.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")
        @OptionGroup var target: RunnerTarget
        @Option(help: "Only the runs of this rules file.") var script: String?
        @Option(help: "Only runs that ended so: ok, failed, limit, cancelled, rejected.") var outcome: String?
        @Option(help: "How many (1-10000).") var limit: Int = 50
        @Flag(help: "One JSON object a line.") var json = false

        func validate() throws {
            if let outcome, !RunsCommand.outcomes.contains(outcome) {
                throw ValidationError("--outcome must be one of \(RunsCommand.outcomes.joined(separator: ", ")), not '\(outcome)'")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1-10000") }
        }

        func run() async throws {
            try await target.with { data in
                let runs = try await data.runs(RunQuery(script: script, outcome: outcome, limit: limit))
                for run in runs { print(json ? run.jsonLine : run.summaryLine) }
                if runs.isEmpty && !json { FileHandle.standardError.write(Data("lunas runs: no runs\n".utf8)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one run: what triggered it, how it ended, its log.")
        @OptionGroup var target: RunnerTarget
        @Argument(help: "The run's id.") var id: Int64

        func run() async throws {
            try await target.with { data in
                guard let run = try await data.run(id: id) else { throw RunnerTarget.Missing("there is no run \(id); lunas runs list shows the runs") }
                print(run.details)
                let logs = try await data.logs(ofRun: id)
                if !logs.isEmpty { print("log:") }
                for line in logs { print("  " + line.text.trimmingCharacters(in: .newlines)) }
                if run.logsDropped > 0 { print("  (\(run.logsDropped) more lines not kept)") }
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a run again now: the same stored version of its rules file, the same input.")
        @OptionGroup var target: RunnerTarget
        @Argument(help: "The run's id.") var id: Int64

        func run() async throws {
            try await target.with { data in
                guard let run = try await data.replay(run: id, template: RunTemplate(credentials: .configured(default: nil))) else {
                    throw RunnerTarget.Missing("there is no run \(id); lunas runs list shows the runs")
                }
                print(run.summaryLine)
                if run.outcome != "ok" { throw ExitCode(1) }
            }
        }
    }

    static let outcomes = ["ok", "failed", "limit", "cancelled", "rejected"]
}

/// Where the runner's records are: the store `lunas serve` uses.
struct RunnerTarget: ParsableArguments {
    @Option(help: "A SQLite file or a postgres:// URL (default: as lunas serve: lunas.toml's store, else $LUNAS_STORE_URL, else lunas.db).")
    var store: String?

    @Option(help: "The configuration file (default: lunas.toml when present).")
    var config: String?

    @Flag(help: "The store of `lunas serve --sandbox` (lunas-sandbox.db).")
    var sandbox = false

    /// Something asked for is not there (exit 2).
    struct Missing: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Opens the store (which must exist), runs `body` on its runner records, closes it.
    func with(_ body: (RunnerData) async throws -> Void) async throws {
        let runtime: Runtime
        do {
            var configuration = try RuntimeConfiguration.load(
                file: config, stdlibFolder: StdlibFolder.path, workingDirectory: FileManager.default.currentDirectoryPath,
                environment: ProcessInfo.processInfo.environment, storeFlag: store, sandbox: sandbox)
            configuration.storeOptions.purgeInterval = nil
            runtime = Runtime(configuration: configuration)
            guard runtime.storeExists else {
                let location = configuration.store.map { "\($0)" } ?? "(none)"
                throw Missing("there is no store at \(location); give --store, or run lunas serve first")
            }
            try await runtime.openStore()
        } catch {
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            try await body(RunnerData(runtime: runtime))
            await runtime.shutdown()
        } catch let exit as ExitCode {
            await runtime.shutdown()
            throw exit
        } catch let missing as Missing {
            await runtime.shutdown()
            FileHandle.standardError.write(Data("lunas: \(missing)\n".utf8))
            throw ExitCode(2)
        } catch {
            await runtime.shutdown()
            FileHandle.standardError.write(Data("lunas: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension RunRow {
    /// `id  started  outcome  script  handler  trigger  duration`.
    var summaryLine: String {
        let ms = Int((endedAt.timeIntervalSince(startedAt) * 1000).rounded())
        return [String(id), startedAt.formatted(.iso8601), outcome, script, handler, trigger, "\(ms)ms"].joined(separator: "  ")
    }

    /// One JSON object.
    var jsonLine: String {
        var object: [String: Any] = [
            "id": id, "script": script, "version": version, "handler": handler, "trigger": trigger, "outcome": outcome,
            "started_at": startedAt.formatted(.iso8601), "ended_at": endedAt.formatted(.iso8601), "attempt": attempt,
            "api_calls": apiCalls, "budget_wait_ms": Int(budgetWait.components.seconds * 1000 + budgetWait.components.attoseconds / 1_000_000_000_000_000),
            "worker": worker,
        ]
        if let jobID { object["job_id"] = jobID }
        if let credential { object["credential"] = credential }
        if let error { object["error"] = error }
        if let limitKind { object["limit"] = limitKind }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Every field, a line each.
    var details: String {
        var lines = [
            "run \(id)", "script: \(script) (version \(version.prefix(12)))", "handler: \(handler)", "trigger: \(trigger)",
            "outcome: \(outcome)\(limitKind.map { " (\($0))" } ?? "")", "started: \(startedAt.formatted(.iso8601))",
            "ended: \(endedAt.formatted(.iso8601))", "attempt: \(attempt)", "worker: \(worker)", "api calls: \(apiCalls)",
            "budget wait: \(budgetWait)", "input: \(input.prefix(2000))",
        ]
        if let credential { lines.insert("credential: \(credential)", at: 4) }
        if let jobID { lines.insert("job: \(jobID)", at: 1) }
        if let error { lines.append("error: \(error)") }
        if let traceback { lines.append(traceback) }
        return lines.joined(separator: "\n")
    }
}
