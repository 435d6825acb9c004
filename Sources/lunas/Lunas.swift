import Foundation
import ArgumentParser

@main
struct Lunas: AsyncParsableCommand {
    /// Parses and runs, mapping ArgumentParser's usage errors (64) to the documented exit code 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "lunas",
        abstract: "Run commerce automation scripts (Lua 5.4) against the Scalev API.",
        discussion: """
            Examples:
              lunas run --sandbox scripts/tag_vip_orders.lua     run a script against a local Scalev sandbox
              lunas run --dry-run scripts/tag_vip_orders.lua     reads go through; writes are printed, not sent
              lunas run scripts/order_report.lua                 run a script
              lunas run report.lua --timeout 30 --memory 64      with a deadline and a 64 MiB cap
              lunas run sync.lua -- 2026-11-01 2026-11-30        arguments reach the script as arg[1], arg[2]
              lunas check scripts/*.lua                          syntax-check scripts without running them
              lunas schedules next "0 9 * * MON-FRI"             the next fire times of a cron spec
              lunas serve --sandbox                              run rules/ with a local sandbox delivering webhooks
              lunas runs list --outcome failed                   the run history of lunas serve

            Exit codes: 0 success, 1 script error, 2 usage or configuration error,
            3 a limit ended the run, 130 interrupted (Ctrl-C).
            """,
        version: LunasVersion.string,
        subcommands: [RunCommand.self, CheckCommand.self, KVCommand.self, SandboxCommand.self, AuthCommand.self, SchedulesCommand.self,
                      ServeCommand.self, RunsCommand.self, JobsCommand.self, TestCommand.self, NewCommand.self])
}

enum LunasVersion {
    static let string = "0.1.0 (Lua 5.4)"
}
