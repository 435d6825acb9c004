import AsyncHTTPClient
import Synchronization

/// A runtime's client for scripts' `http` calls: its own `HTTPClient` (so that it never follows
/// redirects by itself, whatever client the host gave for Scalev: ``HTTPAccess/clientConfiguration()``)
/// on the event loops of the Scalev client, made at the first call and closed at shutdown.
final class OutboundHTTP: Sendable {
    private let scalev: ScalevConnector
    private let parts = Mutex<(client: HTTPClient?, shutDown: Bool)>((nil, false))

    init(scalev: ScalevConnector) {
        self.scalev = scalev
    }

    /// The client.
    func client() throws -> HTTPClient {
        let group = try scalev.http().eventLoopGroup
        return try parts.withLock { parts in
            guard !parts.shutDown else { throw CancellationError() }
            if let client = parts.client { return client }
            let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: HTTPAccess.clientConfiguration())
            parts.client = client
            return client
        }
    }

    /// Closes the client (before the event loops it runs on are shut down).
    func shutdown() async {
        let client = parts.withLock { parts in
            parts.shutDown = true
            defer { parts.client = nil }
            return parts.client
        }
        try? await client?.shutdown()
    }
}
