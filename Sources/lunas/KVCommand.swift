import ArgumentParser
import Foundation
import LunasRuntime

/// `lunas kv`: read and write scripts' key-value data, as the `kv` module does, values as JSON.
struct KVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv",
        abstract: "Read and write the key-value store scripts use (values as JSON).",
        discussion: """
            A script's namespace is its path under scripts/ without .lua (scripts/billing/retry.lua
            is billing/retry). The store is chosen as `lunas run` chooses it: --store, else (with
            --sandbox) ./lunas-sandbox.db, else lunas.toml's store, else $LUNAS_STORE_URL, else
            ./lunas.db. get, keys and delete never create a store: a missing one is an error.

            Examples:
              lunas kv get --ns vip last_run
              lunas kv set --ns vip threshold '{"amount": 1000000}' --ttl 3600
              lunas kv keys --ns vip --prefix order:
              lunas kv keys --sandbox --ns tag_vip_orders      after lunas run --sandbox
              lunas kv incr --ns vip runs --by 1
              lunas kv delete --ns vip last_run --store postgres://lunas@db/lunas
            """,
        subcommands: [Get.self, Put.self, Delete.self, Keys.self, Incr.self])

    struct Target: ParsableArguments {
        @Option(name: .customLong("ns"), help: "The namespace (a script's name).")
        var namespace: String = "default"

        @Option(help: "A SQLite file or a postgres:// URL (default: as lunas run: lunas-sandbox.db with --sandbox, else lunas.toml's store, else $LUNAS_STORE_URL, else lunas.db).")
        var store: String?

        @Flag(help: "The store of `lunas run --sandbox` (lunas-sandbox.db).")
        var sandbox = false

        @Option(help: "The configuration file (default: lunas.toml when present).")
        var config: String?

        /// Opens the store, runs `body` on the namespace's data, closes it; store errors exit 1
        /// with the message. With `creating: false` a store that does not exist is an error
        /// (exit 2), not a new empty one.
        func with<T>(creating: Bool = true, _ body: (ScriptData) async throws -> T) async throws -> T {
            let runtime: Runtime
            let data: ScriptData
            do {
                var configuration = try RuntimeConfiguration.load(
                    file: config, stdlibFolder: StdlibFolder.path, workingDirectory: FileManager.default.currentDirectoryPath,
                    environment: ProcessInfo.processInfo.environment, storeFlag: store, sandbox: sandbox)
                configuration.storeOptions.purgeInterval = nil
                runtime = Runtime(configuration: configuration)
                guard creating || runtime.storeExists else {
                    let location = configuration.store.map { "\($0)" } ?? "(none)"
                    FileHandle.standardError.write(Data("lunas kv: there is no store at \(location) (give --store, or --sandbox for the store of lunas run --sandbox)\n".utf8))
                    throw ExitCode(2)
                }
                data = try runtime.data(in: namespace)
                do {
                    try await runtime.openStore()
                } catch {
                    await runtime.shutdown()
                    throw error
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("lunas kv: cannot open the store: \(error)\n".utf8))
                throw ExitCode(2)
            }
            do {
                let result = try await body(data)
                await runtime.shutdown()
                return result
            } catch let error as ExitCode {
                await runtime.shutdown()
                throw error
            } catch {
                await runtime.shutdown()
                FileHandle.standardError.write(Data("lunas kv: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a key's value as JSON; exit 1 when absent.")
        @OptionGroup var options: Target
        @Argument(help: "The key.") var key: String
        @Flag(help: "Also print the version (for cas) on standard error.") var showVersion = false

        func run() async throws {
            let entry = try await options.with(creating: false) { data in try await data.get(key) }
            guard let entry else {
                FileHandle.standardError.write(Data("lunas kv: no key '\(key)' in namespace '\(options.namespace)'\n".utf8))
                throw ExitCode(1)
            }
            print(entry.json)
            if showVersion { FileHandle.standardError.write(Data("version \(entry.version)\n".utf8)) }
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Store a JSON value under a key.")
        @OptionGroup var options: Target
        @Argument(help: "The key.") var key: String
        @Argument(help: "The value as JSON: 42, \"text\", [1,2], {\"a\":1}, null.") var value: String
        @Option(help: "Expire the key after this many seconds.") var ttl: Double?

        func validate() throws {
            guard (try? JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])) != nil else {
                throw ValidationError("the value must be JSON; quote text as '\"text\"'")
            }
            if let ttl, !(ttl > 0 && ttl <= Double(ScriptData.maxTTLSeconds)) {
                throw ValidationError("--ttl must be between 0 and \(ScriptData.maxTTLSeconds) seconds")
            }
        }

        func run() async throws {
            let ttl = self.ttl.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
            let version = try await options.with { data in try await data.set(key, json: value, ttl: ttl) }
            FileHandle.standardError.write(Data("version \(version)\n".utf8))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a key; exit 1 when it did not exist.")
        @OptionGroup var options: Target
        @Argument(help: "The key.") var key: String

        func run() async throws {
            let existed = try await options.with(creating: false) { data in try await data.delete(key) }
            if !existed {
                FileHandle.standardError.write(Data("lunas kv: no key '\(key)' in namespace '\(options.namespace)'\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys, one a line, in byte order.")
        @OptionGroup var options: Target
        @Option(help: "Only keys starting with this.") var prefix: String = ""
        @Option(help: "At most this many keys (all when omitted).") var limit: Int?
        @Option(help: "Continue after a previous page's cursor.") var cursor: String?

        func run() async throws {
            try await options.with(creating: false) { data in
                var cursor = self.cursor
                var left = limit ?? Int.max
                repeat {
                    let page = try await data.keys(prefix: prefix, limit: min(left, 1000), after: cursor)
                    for key in page.keys { print(key) }
                    left -= page.keys.count
                    cursor = page.cursor
                } while cursor != nil && left > 0
                if let cursor { FileHandle.standardError.write(Data("cursor \(cursor)\n".utf8)) }
            }
        }
    }

    struct Incr: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add to an integer and print the result.")
        @OptionGroup var options: Target
        @Argument(help: "The key.") var key: String
        @Option(help: "The increment (may be negative).") var by: Int64 = 1
        @Option(help: "The starting value when the key is absent.") var initial: Int64 = 0

        func run() async throws {
            print(try await options.with { data in try await data.increment(key, by: by, initial: initial) })
        }
    }
}
