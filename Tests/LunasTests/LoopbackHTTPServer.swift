import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP server (127.0.0.1) for `http` tests, answering by path:
/// `/json` a JSON object; `/echo` the request as JSON (method, path, headers, body);
/// `/redirect?to=URL` a 302 to URL (`&status=303` another status); `/loop` a 302 to itself;
/// `/big?bytes=N` N bytes with a Content-Length, `/chunked?bytes=N` the same without one.
/// It counts the requests it got.
final class LoopbackHTTPServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let counter: Counter

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    /// The requests it got so far.
    var requests: Int { counter.value.withLock { $0 } }

    private init(port: Int, channel: any Channel, counter: Counter) {
        self.port = port
        self.channel = channel
        self.counter = counter
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String, host: String = "127.0.0.1") -> String { "http://\(host):\(port)\(path)" }

    static func start() async throws -> LoopbackHTTPServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(counter: counter)) }
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else { throw SilentServer.ServerError.noPort }
        return LoopbackHTTPServer(port: port, channel: channel, counter: counter)
    }

    func stop() async throws { try await channel.close() }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let counter: Counter
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(counter: Counter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let buffer):
                body += buffer.readableBytesView
            case .end:
                guard let head else { return }
                counter.value.withLock { $0 += 1 }
                respond(context: context, to: head)
            }
        }

        private func respond(context: ChannelHandlerContext, to head: HTTPRequestHead) {
            let components = URLComponents(string: head.uri)
            let path = components?.path ?? head.uri
            func query(_ name: String) -> String? { components?.queryItems?.first { $0.name == name }?.value }
            var headers = HTTPHeaders()
            var status = HTTPResponseStatus.ok
            var answer: [UInt8] = []
            var chunked = false
            switch path {
            case "/json":
                headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                answer = Array(#"{"ok":true,"n":1,"tags":[]}"#.utf8)
            case "/echo":
                headers.add(name: "Content-Type", value: "application/json")
                var fields: [String: String] = [:]
                for (name, value) in head.headers { fields[name.lowercased()] = value }
                let object: [String: Any] = ["method": head.method.rawValue, "path": head.uri, "headers": fields,
                                             "body": String(decoding: body, as: UTF8.self)]
                answer = Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
            case "/redirect":
                status = HTTPResponseStatus(statusCode: Int(query("status") ?? "302") ?? 302)
                headers.add(name: "Location", value: query("to") ?? "/")
            case "/loop":
                status = .found
                headers.add(name: "Location", value: "/loop")
            case "/big", "/chunked":
                answer = [UInt8](repeating: UInt8(ascii: "x"), count: Int(query("bytes") ?? "0") ?? 0)
                chunked = path == "/chunked"
            default:
                status = .notFound
            }
            if chunked {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            } else {
                headers.add(name: "Content-Length", value: String(answer.count))
            }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            if !answer.isEmpty {
                var offset = 0
                while offset < answer.count {
                    let end = min(answer.count, offset + 64 << 10)
                    context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: answer[offset..<end])))), promise: nil)
                    offset = end
                }
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
