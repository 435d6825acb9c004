import ArgumentParser
import Foundation
import LunasRuntime

/// `lunas auth`: put credentials in the vault (sealed with LUNAS_VAULT_KEY) so that scripts can
/// use them by name. Nothing here prints a secret.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Store Scalev credentials in the vault: API keys, OAuth installations, customer logins.",
        discussion: """
            The vault lives in the store (lunas.db, or $LUNAS_STORE_URL) and is sealed with the key in
            $LUNAS_VAULT_KEY (base64 of 32 bytes: `openssl rand -base64 32`) or vault_key_file.

            Examples:
              lunas auth key main < key.txt              an API key, read from standard input
              lunas auth oauth app                       prints the URL to open; catches the redirect on loopback
              lunas auth customer shopper --email a@b.c  password from standard input; asks for the OTP if needed
              lunas auth list
              lunas auth remove shopper
            """,
        subcommands: [Key.self, OAuth.self, Customer.self, List.self, Remove.self])

    struct Context: ParsableArguments {
        @Option(help: "The configuration file (default: lunas.toml).")
        var config: String?

        @Option(help: "A SQLite file or a postgres:// URL (default: the configuration's store, $LUNAS_STORE_URL, else lunas.db).")
        var store: String?

        /// Loads the configuration, opens the runtime's store and vault, runs `body`, shuts the
        /// runtime down. Setup errors exit 2, errors of `body` exit 1, each with its message.
        func with<T>(_ body: (Vault) async throws -> T) async throws -> T {
            let runtime: Runtime
            let vault: Vault
            do {
                var configuration = try RuntimeConfiguration.load(
                    file: config, stdlibFolder: StdlibFolder.path, workingDirectory: FileManager.default.currentDirectoryPath,
                    environment: ProcessInfo.processInfo.environment, storeFlag: store)
                configuration.storeOptions.purgeInterval = nil
                runtime = Runtime(configuration: configuration)
                do {
                    vault = try await runtime.vault()
                } catch {
                    await runtime.shutdown()
                    throw error
                }
            } catch {
                FileHandle.standardError.write(Data("lunas auth: \(error)\n".utf8))
                throw ExitCode(2)
            }
            do {
                let result = try await body(vault)
                await runtime.shutdown()
                return result
            } catch {
                await runtime.shutdown()
                if let exit = error as? ExitCode { throw exit }
                FileHandle.standardError.write(Data("lunas auth: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store an API key (sk_/rk_) read from standard input.")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name (its [credentials.NAME] has kind = \"api_key\" and vault = NAME).") var name: String

        func run() async throws {
            let secret = SecretInput.read(prompt: "API key for \(name): ")
            guard Vault.isAPIKey(secret) else {
                FileHandle.standardError.write(Data("lunas auth: an API key starts with sk_ or rk_\n".utf8))
                throw ExitCode(2)
            }
            try await context.with { vault in
                try await vault.storeAPIKey(secret, for: name)
                print("stored the API key of '\(name)' in the vault")
            }
        }
    }

    struct OAuth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "oauth", abstract: "Authorize an OAuth installation (code flow with PKCE) and store its tokens.")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name (kind = \"oauth\").") var name: String
        @Option(help: "The app's registered redirect URI; its loopback port receives the redirect.")
        var redirectURI = "http://127.0.0.1:8765/callback"
        @Option(help: "The authorization page (default: Scalev's, or <base_url>/v3/oauth/authorize for another origin).")
        var authorizeURL: String?
        @Option(help: "Scopes to ask for, comma-separated (default: all the app may have).")
        var scopes: String?

        func run() async throws {
            try await context.with { vault in
                let pending = try await vault.authorize(
                    name, redirectURI: redirectURI, authorizeURL: authorizeURL, scopes: scopes.map { $0.split(separator: ",").map(String.init) } ?? [])
                print("Open this URL in a browser and approve the app:\n\n  \(pending.url)\n")
                print("Waiting for the redirect to \(redirectURI) ...")
                let scopes = try await vault.complete(pending, redirect: try await pending.catchRedirect())
                print("stored the tokens of '\(name)' in the vault" + (scopes.isEmpty ? "" : " (scopes: \(scopes.joined(separator: " ")))"))
            }
        }
    }

    struct Customer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a customer in (password from standard input; OTP when the store asks) and store the tokens.")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name (kind = \"customer\").") var name: String
        @Option(help: "The customer's email.") var email: String

        func run() async throws {
            let password = SecretInput.read(prompt: "Password for \(email): ")
            try await context.with { vault in
                if case .otpRequired(let message) = try await vault.signIn(name, email: email, password: password) {
                    print(message)
                    let otp = SecretInput.read(prompt: "One-time code: ")
                    try await vault.verifyOTP(name, email: email, otp: otp)
                }
                print("signed \(email) in as '\(name)'; the tokens are in the vault")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the configured credentials and where each one's secret is.")
        @OptionGroup var context: Context

        func run() async throws {
            try await context.with { vault in
                for entry in try await vault.entries() {
                    let place = switch entry.place {
                    case .environment(let variable, let isSet): "$\(variable)" + (isSet ? "" : " (not set)")
                    case .configuration: "publishable key in the configuration"
                    case .vault(let stored): stored ? "vault" : "vault (empty: run lunas auth)"
                    }
                    print("\(entry.name)\t\(entry.kind.rawValue)\t\(place)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a credential from the vault (a customer is signed out first).")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name.") var name: String

        func run() async throws {
            try await context.with { vault in
                let existed = try await vault.remove(name)
                print(existed ? "removed '\(name)' from the vault" : "'\(name)' was not in the vault")
            }
        }
    }
}
