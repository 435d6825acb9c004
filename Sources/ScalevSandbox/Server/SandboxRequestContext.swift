import Hummingbird
import NIOCore

/// The Hummingbird request context of the sandbox: it keeps the channel, for the peer address and
/// for fault injection's connection resets.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    var maxUploadSize: Int { 16 * 1024 * 1024 }
}
