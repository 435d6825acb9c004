import ArgumentParser
import Foundation
import ScalevSandbox

/// `lunas sandbox`: a local stand-in of the Scalev API.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a local, stateful stand-in of the Scalev API.",
        discussion: """
            Prints the base URL and credentials, then serves until Ctrl-C. The admin API lives under
            /_sandbox/ (clock, faults, webhooks, reset, stats); see docs/sandbox.md.

            Examples:
              lunas sandbox                                 port 8787, seed 1, new keys, Scalev's limits
              lunas sandbox --port 0 --json                 a free port; first line is JSON
              lunas sandbox --data sandbox.json             keep state across restarts
              lunas sandbox --anchor 2025-01-01             history ending 2024-12-31 (fixed ids)
              lunas sandbox --rate-limit 20/2s,200/20s      tighter business-key windows
              lunas sandbox --rate-limit off                no rate limiting
            """)

    @Option(help: "Port to listen on (0 picks a free port).")
    var port: Int = 8787

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Seed of the generated data.")
    var seed: UInt64 = 1

    @Option(name: .customLong("key-seed"), help: "Seed of the keys and secrets, for tests that need known keys (default: new random keys at every start).")
    var keySeed: UInt64?

    @Option(help: "The day the seeded history ends before, YYYY-MM-DD (00:00 UTC; default: today). Same seed and anchor, same data.")
    var anchor: String?

    @Option(help: "A JSON snapshot file: loaded if present, written on change and at exit.")
    var data: String?

    @Option(name: .customLong("rate-limit"), help: "Business-credential windows such as 20/2s,200/20s, or 'off'.")
    var rateLimit: String?

    @Option(name: .customLong("webhook"), help: "A webhook URL to deliver events to; repeatable.")
    var webhooks: [String] = []

    @Option(name: .customLong("trust-client-header"), help: "A header naming the client address (for tests).")
    var trustClientHeader: String?

    @Flag(help: "Print the connection details as one JSON object on the first line.")
    var json = false

    @Flag(help: "Log each request to standard error.")
    var verbose = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if let anchor, SandboxConfiguration.anchor(parsing: anchor) == nil {
            throw ValidationError("--anchor must be a day as YYYY-MM-DD, not '\(anchor)'")
        }
        if let rateLimit, rateLimit != "off", SandboxConfiguration.rateLimits(parsing: rateLimit) == nil {
            throw ValidationError("--rate-limit must look like 20/2s,200/20s (units ms, s, m, h) or be 'off'")
        }
    }

    func run() async throws {
        var configuration = SandboxConfiguration(host: host, port: port, seed: seed, keySeed: keySeed, dataFile: data, webhookURLs: webhooks, logRequests: verbose)
        configuration.trustedClientAddressHeader = trustClientHeader
        configuration.anchor = anchor.flatMap(SandboxConfiguration.anchor(parsing:))
        if let rateLimit {
            if rateLimit == "off" {
                configuration.rateLimitingEnabled = false
            } else if let windows = SandboxConfiguration.rateLimits(parsing: rateLimit) {
                configuration.businessRateLimits = windows
            }
        }
        // listen for Ctrl-C before announcing the sandbox: a signal sent as soon as the details are
        // read must not be lost
        let signals = SignalWaiter()
        let sandbox: ScalevSandbox
        do {
            sandbox = try await ScalevSandbox.start(configuration)
        } catch {
            FileHandle.standardError.write(Data("lunas sandbox: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let credentials = sandbox.credentials
        if json {
            let object: [String: String] = [
                "base_url": sandbox.baseURL, "business_key": credentials.businessKey, "restricted_key": credentials.restrictedKey,
                "storefront_key": credentials.storefrontKey, "store_unique_id": credentials.storeUniqueID,
                "customer_email": credentials.customerEmail, "customer_password": credentials.customerPassword,
                "webhook_secret": credentials.webhookSecret,
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let line = String(decoding: try encoder.encode(object), as: UTF8.self)
            print(line)
        } else {
            print("""
                Scalev sandbox listening on \(sandbox.baseURL)
                  business key (sk_, all scopes)   \(credentials.businessKey)
                  restricted key (rk_, read only)  \(credentials.restrictedKey)
                  storefront key (sfpk_)           \(credentials.storefrontKey)
                  store                            \(credentials.storeUniqueID)
                  customer login                   \(credentials.customerEmail) / \(credentials.customerPassword)
                  webhook signing secret           \(credentials.webhookSecret)
                  OAuth client                     \(credentials.oauthClientID) / \(credentials.oauthClientSecret)
                  admin API                        \(sandbox.baseURL)/_sandbox/
                Press Ctrl-C to stop.
                """)
        }
        fflush(nil)
        await signals.wait()
        try await sandbox.stop()
    }
}

/// Catches SIGINT and SIGTERM from its creation on; `wait` returns once one has arrived.
private final class SignalWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var arrived = false
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let queue = DispatchQueue(label: "lunas.sandbox.signals")
        sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        for source in sources {
            source.setEventHandler { [weak self] in self?.arrive() }
            source.resume()
        }
    }

    private func arrive() {
        lock.lock()
        arrived = true
        let pending = continuation
        continuation = nil
        lock.unlock()
        pending?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if arrived {
                lock.unlock()
                continuation.resume()
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
    }
}
