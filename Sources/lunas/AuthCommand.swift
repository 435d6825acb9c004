import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import LunasRuntime
import LunasStore
import Scalev

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

        /// Loads the configuration, opens the store and the vault, runs `body`, closes everything.
        func with<T>(_ body: (LunasConfiguration, CredentialVault, HTTPClient) async throws -> T) async throws -> T {
            let configuration: LunasConfiguration
            let vault: CredentialVault
            let opened: any Store
            do {
                configuration = try LunasConfiguration.load(path: config)
                let key = try VaultKey.load(environment: ProcessInfo.processInfo.environment, keyFile: configuration.vaultKeyFile)
                opened = try await StoreLocation.resolve(flag: store, configured: configuration.store, environment: ProcessInfo.processInfo.environment).open(options: .init(purgeInterval: nil))
                vault = CredentialVault(store: opened, key: key)
            } catch {
                FileHandle.standardError.write(Data("lunas auth: \(error)\n".utf8))
                throw ExitCode(2)
            }
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: ScalevClient.httpConfiguration())
            do {
                let result = try await body(configuration, vault, http)
                try? await http.shutdown()
                await opened.close()
                return result
            } catch {
                try? await http.shutdown()
                await opened.close()
                if let exit = error as? ExitCode { throw exit }
                FileHandle.standardError.write(Data("lunas auth: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// The configured credential `name`, which must be of `kind`, resolved as `lunas run` does,
    /// and the configuration of a client for it.
    static func resolve(_ name: String, kind: CredentialEntry.Kind, in configuration: LunasConfiguration, vault: CredentialVault)
        async throws -> (credential: ScalevCredential, client: ScalevClient.Configuration)
    {
        guard let entry = configuration.credentials[name] else {
            throw ValidationFailure("there is no [credentials.\(name)] in \(configuration.file ?? LunasConfiguration.defaultFile); add it with kind = \"\(kind.rawValue)\"")
        }
        guard entry.kind == kind else {
            throw ValidationFailure("credential '\(name)' is of kind \(entry.kind.rawValue), not \(kind.rawValue)")
        }
        let resolved = try await CredentialResolver(configuration: configuration, environment: ProcessInfo.processInfo.environment).resolve(name, vault: vault)
        return (resolved.credential, ScalevClient.Configuration(baseURL: resolved.baseURL, v2BaseURL: configuration.v2BaseURL))
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store an API key (sk_/rk_) read from standard input.")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name (its [credentials.NAME] has kind = \"api_key\" and vault = NAME).") var name: String

        func run() async throws {
            let secret = SecretInput.read(prompt: "API key for \(name): ")
            guard secret.hasPrefix("sk_") || secret.hasPrefix("rk_") else {
                FileHandle.standardError.write(Data("lunas auth: an API key starts with sk_ or rk_\n".utf8))
                throw ExitCode(2)
            }
            try await context.with { configuration, vault, _ in
                let entry = configuration.credentials[name]
                try await vault.save(entry?.vaultName ?? name, secret: Data(secret.utf8))
                print("stored the API key of '\(name)' in the vault")
            }
        }
    }

    struct OAuth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Authorize an OAuth installation (code flow with PKCE) and store its tokens.")
        @OptionGroup var context: Context
        @Argument(help: "The credential's name (kind = \"oauth\").") var name: String
        @Option(help: "The app's registered redirect URI; its loopback port receives the redirect.")
        var redirectURI = "http://127.0.0.1:8765/callback"
        @Option(help: "The authorization page (default: Scalev's, or <base_url>/v3/oauth/authorize for another origin).")
        var authorizeURL: String?
        @Option(help: "Scopes to ask for, comma-separated (default: all the app may have).")
        var scopes: String?

        func run() async throws {
            try await context.with { configuration, vault, http in
                let (credential, clientConfiguration) = try await AuthCommand.resolve(name, kind: .oauth, in: configuration, vault: vault)
                guard case .oauth(let installation) = credential else { throw ValidationFailure("credential '\(name)' is not an OAuth installation") }
                let endpoint = authorizeURL ?? (clientConfiguration.baseURL == CredentialResolver.defaultBaseURL
                    ? OAuthAuthorization.scalevAuthorizeEndpoint : clientConfiguration.baseURL + "/v3/oauth/authorize")
                let authorization = OAuthAuthorization(
                    clientID: installation.clientID, redirectURI: redirectURI,
                    scopes: scopes.map { $0.split(separator: ",").map(String.init) } ?? [], authorizeEndpoint: endpoint)
                print("Open this URL in a browser and approve the app:\n\n  \(authorization.url)\n")
                print("Waiting for the redirect to \(redirectURI) ...")
                let redirect = try await LoopbackRedirect.wait(for: redirectURI)
                let (code, state) = OAuthAuthorization.parameters(ofRedirect: redirect)
                guard let code else { throw ValidationFailure("the redirect carried no code (was the app denied?)") }
                let grant = try await authorization.exchange(
                    code: code, returnedState: state, installation: installation, configuration: clientConfiguration, http: http, vault: vault)
                print("stored the tokens of '\(name)' in the vault" + (grant.scopes.isEmpty ? "" : " (scopes: \(grant.scopes.joined(separator: " ")))"))
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
            try await context.with { configuration, vault, http in
                let (credential, clientConfiguration) = try await AuthCommand.resolve(name, kind: .customer, in: configuration, vault: vault)
                guard case .customer(let session) = credential else { throw ValidationFailure("credential '\(name)' is not a customer") }
                let outcome = try await CustomerLogin.logIn(
                    email: email, password: password, session: session, configuration: clientConfiguration, http: http, vault: vault)
                if case .otpRequired(let message) = outcome {
                    print(message)
                    let otp = SecretInput.read(prompt: "One-time code: ")
                    try await CustomerLogin.verifyOTP(email: email, otp: otp, session: session, configuration: clientConfiguration, http: http, vault: vault)
                }
                print("signed \(email) in as '\(name)'; the tokens are in the vault")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the configured credentials and where each one's secret is.")
        @OptionGroup var context: Context

        func run() async throws {
            try await context.with { configuration, vault, _ in
                for entry in configuration.credentials.values.sorted(by: { $0.name < $1.name }) {
                    let place: String
                    if entry.kind == .apiKey, let variable = entry.secretEnvironment {
                        place = "$\(variable)" + (ProcessInfo.processInfo.environment[variable] == nil ? " (not set)" : "")
                    } else if entry.kind == .storefront {
                        place = "publishable key in the configuration"
                    } else {
                        place = try await vault.secret(entry.vaultName ?? entry.name) == nil ? "vault (empty: run lunas auth)" : "vault"
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
            try await context.with { configuration, vault, http in
                let entry = configuration.credentials[name]
                let vaultName = entry?.vaultName ?? name
                let existed = try await vault.secret(vaultName) != nil
                if entry?.kind == .customer, let (credential, clientConfiguration) = try? await AuthCommand.resolve(name, kind: .customer, in: configuration, vault: vault),
                   case .customer(let session) = credential {
                    try? await CustomerLogin.logOut(session: session, configuration: clientConfiguration, http: http, vault: vault)
                }
                _ = try await vault.delete(vaultName)
                print(existed ? "removed '\(name)' from the vault" : "'\(name)' was not in the vault")
            }
        }
    }
}

/// A line from standard input, not echoed when it is a terminal.
enum SecretInput {
    static func read(prompt: String) -> String {
        let terminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if terminal {
            FileHandle.standardError.write(Data(prompt.utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        let line = readLine(strippingNewline: true) ?? ""
        if terminal {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}

/// Catches one OAuth redirect on a loopback address.
enum LoopbackRedirect {
    static func wait(for redirectURI: String) async throws -> String {
        guard let components = URLComponents(string: redirectURI), let host = components.host, let port = components.port,
              host == "127.0.0.1" || host == "localhost" else {
            throw ValidationFailure("the redirect URI must be a loopback URL with a port, like http://127.0.0.1:8765/callback")
        }
        let (redirects, arrived) = AsyncStream<String>.makeStream()
        let router = Router()
        router.get(RouterPath(components.path.isEmpty ? "/" : components.path)) { request, _ -> String in
            arrived.yield(redirectURI + "?" + (request.uri.query ?? ""))
            return "Lunas has the authorization; you can close this tab."
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await app.runService(); return nil }
            group.addTask { for await redirect in redirects { return redirect }; return nil }
            while let next = try await group.next() {
                if let redirect = next {
                    group.cancelAll()
                    return redirect
                }
            }
            throw CancellationError()
        }
    }
}
