import Foundation
import LunasClock
import Logging
import PostgresNIO
import Synchronization

/// One connection opened and closed before the pool is built, so that a server that refuses,
/// does not answer or rejects the login is one clear error within a few seconds, not the pool's
/// retries ending in a tripped circuit breaker a minute later.
struct PostgresProbe: Sendable {
    let url: String
    let timeout: Duration

    /// Connects (TCP, TLS, login) and disconnects; throws ``StoreError/unreachable(host:port:reason:)``.
    func connect() async throws {
        let address = try PostgresAddress(url: url)
        let configuration = try Self.configuration(address, timeout: timeout)
        let outcome = FirstOutcome()
        // The attempt is not awaited: one that ignores the timeout must not hold the caller.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            outcome.waiting.withLock { $0 = continuation }
            let attempt = Task {
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration: configuration, id: 0, logger: Logger(label: "lunas.store", factory: { _ in SwiftLogNoOpLogHandler() }))
                    try? await connection.close()
                    outcome.waiting.withLock { $0.take() }?.resume()
                } catch {
                    let reason = Self.reason(error)
                    outcome.waiting.withLock { $0.take() }?.resume(throwing: StoreError.unreachable(host: address.host, port: address.port, reason: reason))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                guard let waiting = outcome.waiting.withLock({ $0.take() }) else { return }
                attempt.cancel()
                waiting.resume(throwing: StoreError.unreachable(
                    host: address.host, port: address.port, reason: String(format: "no answer within %g s", Double(timeout.wholeMillisecondsRoundedUp) / 1000)))
            }
        }
    }

    /// The caller's continuation, resumed by whichever of the attempt and the timeout ends first.
    private final class FirstOutcome: Sendable {
        let waiting = Mutex<CheckedContinuation<Void, any Error>?>(nil)
    }

    static func configuration(_ address: PostgresAddress, timeout: Duration) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch address.tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.username, password: address.password,
            database: address.database, tls: tls)
        configuration.options.connectTimeout = .milliseconds(timeout.wholeMillisecondsRoundedUp)
        return configuration
    }

    /// What went wrong, in the server's words or the network's, without the values sent.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return network(underlying) }
        return "\(error.code)"
    }

    /// A network failure as the system names it (`Connection refused`), not NIO's dump of it.
    private static func network(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            if let first = failure.connectionErrors.first { return network(first.error) }
            if let lookup = failure.dnsAError ?? failure.dnsAAAAError { return "cannot resolve the host (\(lookup))" }
        }
        if let failure = error as? IOError { return String(cString: strerror(failure.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "no answer to connecting" }
        return "\(error)"
    }
}
