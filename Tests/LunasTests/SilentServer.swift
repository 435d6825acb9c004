import NIOCore
import NIOPosix

/// A loopback HTTP server that reads requests and never answers them. It reports each request
/// line as its head arrives, and each connection the client closes.
final class SilentServer: Sendable {
    /// The port it listens on (127.0.0.1).
    let port: Int
    /// The request line of every request whose head arrived (`GET /v3/orders?… HTTP/1.1`).
    let requests: AsyncStream<String>
    /// One element each time a client closes a connection.
    let closes: AsyncStream<Void>
    private let channel: any Channel

    private init(port: Int, requests: AsyncStream<String>, closes: AsyncStream<Void>, channel: any Channel) {
        self.port = port
        self.requests = requests
        self.closes = closes
        self.channel = channel
    }

    /// Starts listening on a free port.
    static func start() async throws -> SilentServer {
        let (requests, arrived) = AsyncStream.makeStream(of: String.self)
        let (closes, closed) = AsyncStream.makeStream(of: Void.self)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Listener(arrived: arrived, closed: closed))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try await channel.close()
            throw ServerError.noPort
        }
        return SilentServer(port: port, requests: requests, closes: closes, channel: channel)
    }

    /// Stops listening (connections still open are closed).
    func stop() async throws {
        try await channel.close()
    }

    enum ServerError: Error { case noPort }

    /// One connection: collects bytes until a request head is complete; never writes.
    private final class Listener: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let arrived: AsyncStream<String>.Continuation
        let closed: AsyncStream<Void>.Continuation
        var received: [UInt8] = []

        init(arrived: AsyncStream<String>.Continuation, closed: AsyncStream<Void>.Continuation) {
            self.arrived = arrived
            self.closed = closed
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
            let end: [UInt8] = Array("\r\n\r\n".utf8)
            while let head = received.firstRange(of: end) {
                let text = String(decoding: received[..<head.lowerBound], as: UTF8.self)
                arrived.yield(String(text.prefix { $0 != "\r" && $0 != "\n" }))
                // a request with a body is not expected: the head is all there is
                received.removeSubrange(..<head.upperBound)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.yield()
            context.fireChannelInactive()
        }
    }
}
