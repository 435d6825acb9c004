import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Catches one OAuth redirect on a loopback address: a one-route HTTP server that lives until
/// the redirect arrives or the waiting task is cancelled.
enum LoopbackRedirect {
    /// The page the browser shows once the redirect is caught.
    static let page = "Lunas has the authorization; you can close this tab."

    static func wait(for redirectURI: String, group: any EventLoopGroup, listening: @Sendable () -> Void) async throws -> String {
        guard let components = URLComponents(string: redirectURI), let host = components.host, let port = components.port,
              host == "127.0.0.1" || host == "localhost" else {
            throw VaultError("the redirect URI must be a loopback URL with a port, like http://127.0.0.1:8765/callback")
        }
        let path = components.path.isEmpty ? "/" : components.path
        let (redirects, arrived) = AsyncStream<String>.makeStream()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RedirectHandler(path: path) { query in
                        arrived.yield(redirectURI + "?" + query)
                    })
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        listening()
        let redirect = await withTaskCancellationHandler {
            for await redirect in redirects { return Optional(redirect) }
            return nil
        } onCancel: {
            arrived.finish()
        }
        try? await channel.close()
        guard let redirect else { throw CancellationError() }
        return redirect
    }
}

/// Answers `GET path?…` with ``LoopbackRedirect/page`` and hands its query on; anything else is
/// a 404.
private final class RedirectHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let path: String
    private let arrived: @Sendable (String) -> Void
    private var head: HTTPRequestHead?

    init(path: String, arrived: @escaping @Sendable (String) -> Void) {
        self.path = path
        self.arrived = arrived
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let (target, query) = Self.split(head.uri)
            let caught = head.method == .GET && target == path
            let body = caught ? LoopbackRedirect.page : "Not Found"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Content-Length", value: String(body.utf8.count))
            headers.add(name: "Connection", value: "close")
            let status: HTTPResponseStatus = caught ? .ok : .notFound
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let close = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in close.close(promise: nil) }
            if caught { arrived(query) }
        }
    }

    /// A request target's path and query (without the `?`).
    static func split(_ uri: String) -> (path: String, query: String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}
