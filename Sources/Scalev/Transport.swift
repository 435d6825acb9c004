import AsyncHTTPClient
import Foundation

/// A received answer, any status.
struct RawAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }
}

/// A failure before an answer was complete.
struct TransportFailure: Error, Sendable {
    enum Kind: Sendable { case timeout, connection, cancelled }
    var kind: Kind
    /// Whether the request certainly never reached the server (connecting failed).
    var certainlyNotSent: Bool
    var message: String
}

/// One HTTP exchange over the shared client, with a timeout, no retries.
struct Transport: Sendable {
    let http: HTTPClient
    let maxBytes: Int

    func perform(url: String, method: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration) async -> Result<RawAnswer, TransportFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "lunas-scalev/1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let nanoseconds = max(1_000_000, Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(nanoseconds))
            let buffer = try await response.body.collect(upTo: maxBytes)
            var answerHeaders: [(String, String)] = []
            for (name, value) in response.headers { answerHeaders.append((name, value)) }
            return .success(RawAnswer(status: Int(response.status.code), headers: answerHeaders, body: Array(buffer.readableBytesView)))
        } catch {
            return .failure(Self.classify(error, timeout: timeout))
        }
    }

    static func classify(_ error: any Error, timeout: Duration) -> TransportFailure {
        if error is CancellationError || Task.isCancelled {
            return TransportFailure(kind: .cancelled, certainlyNotSent: false, message: "cancelled")
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return TransportFailure(kind: .timeout, certainlyNotSent: false, message: "no answer within \(Self.format(timeout))")
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return TransportFailure(kind: .connection, certainlyNotSent: true, message: "could not connect (\(client))")
            case .cancelled:
                return TransportFailure(kind: .cancelled, certainlyNotSent: false, message: "cancelled")
            case .remoteConnectionClosed:
                return TransportFailure(kind: .connection, certainlyNotSent: false, message: "the connection was closed before a complete answer")
            default:
                return TransportFailure(kind: .connection, certainlyNotSent: false, message: "\(client)")
            }
        }
        let text = String(describing: error)
        let name = String(reflecting: type(of: error))
        if name.contains("NIOConnectionError") || text.lowercased().contains("connection refused") {
            return TransportFailure(kind: .connection, certainlyNotSent: true, message: "could not connect (connection refused)")
        }
        return TransportFailure(kind: .connection, certainlyNotSent: false, message: "connection failed (\(name.split(separator: ".").last ?? ""))")
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.seconds
        return seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : String(format: "%.1f s", seconds)
    }
}
