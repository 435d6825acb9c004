import ArgumentParser
import Foundation
import LunasServe

/// `lunas jobs`: the runner's queue.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The jobs of lunas serve: queued, running, done and dead.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, oldest due first.")
        @OptionGroup var target: RunnerTarget
        @Option(help: "Only jobs in this state: ready, running, done, dead.") var state: String?
        @Option(help: "Only the jobs of this rules file.") var script: String?
        @Option(help: "How many (1-10000).") var limit: Int = 100

        func validate() throws {
            if let state, JobState(rawValue: state) == nil {
                throw ValidationError("--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", ")), not '\(state)'")
            }
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1-10000") }
        }

        func run() async throws {
            try await target.with { data in
                let jobs = try await data.jobs(JobQuery(states: state.flatMap(JobState.init(rawValue:)).map { [$0] }, script: script, limit: limit))
                for job in jobs {
                    var line = [String(job.id), job.state.rawValue, job.runAt.formatted(.iso8601), job.script, job.handler, job.trigger,
                                "attempt \(job.attempts)/\(job.maxAttempts)"]
                    if let error = job.lastError { line.append("last error: \(error.prefix(200))") }
                    print(line.joined(separator: "  "))
                }
                if jobs.isEmpty { FileHandle.standardError.write(Data("lunas jobs: no jobs\n".utf8)) }
            }
        }
    }
}
