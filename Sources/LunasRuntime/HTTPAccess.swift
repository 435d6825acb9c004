import AsyncHTTPClient

/// What a run's `http` may reach (``HTTPSettings``) and the client its calls go through. A
/// ``Runtime`` gives every run one, over a client of its own on the event loops its Scalev
/// client runs on.
public struct HTTPAccess: Sendable {
    /// The allow-list, bounds and default timeout.
    public var settings: HTTPSettings
    let client: @Sendable () throws -> HTTPClient

    init(settings: HTTPSettings, client: @escaping @Sendable () throws -> HTTPClient) {
        self.settings = settings
        self.client = client
    }

    /// Access over `client`, which must not follow redirects itself (make it with
    /// ``clientConfiguration()``): `http` follows them, checking each against the allow-list.
    public init(settings: HTTPSettings, client: HTTPClient) {
        self.init(settings: settings) { client }
    }

    /// The configuration of the client `http` calls go through: no redirects followed (the module
    /// follows them itself), no decompression (an answer's size is its size on the wire), no
    /// retried connection establishment, a 5 s connect timeout.
    public static func clientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        return configuration
    }
}
