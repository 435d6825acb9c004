import AsyncHTTPClient

extension ScalevClient {
    /// The configuration for the `HTTPClient` that Scalev clients share.
    ///
    /// A refused connection fails at once, and the client's own retries (backoff, `--verbose`
    /// traces) take over: AsyncHTTPClient's default retries connection establishment until its
    /// connect timeout, which turns a wrong base URL into many seconds of silence per attempt.
    public static func httpConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return configuration
    }
}
