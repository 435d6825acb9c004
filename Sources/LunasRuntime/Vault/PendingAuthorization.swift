import AsyncHTTPClient
import Foundation
import Scalev

/// An OAuth authorization (code flow with PKCE) that waits for the merchant: open ``url`` in a
/// browser, catch the redirect (``catchRedirect()`` listens on the loopback address of
/// ``redirectURI``), then hand it to ``Vault/complete(_:redirect:)`` to keep the tokens.
///
/// ```swift
/// let pending = try await vault.authorize("app", redirectURI: "http://127.0.0.1:8765/callback")
/// print("Open", pending.url)
/// let scopes = try await vault.complete(pending, redirect: try await pending.catchRedirect())
/// ```
public struct PendingAuthorization: Sendable {
    /// The credential being authorized.
    public let credential: String
    /// The URL to open in a browser and approve the app at.
    public var url: String { authorization.url }
    /// The app's registered redirect URI.
    public var redirectURI: String { authorization.redirectURI }

    let authorization: OAuthAuthorization
    let installation: OAuthInstallation
    let client: ScalevClient.Configuration
    let http: HTTPClient

    /// Waits for the browser's redirect on the loopback address and port of ``redirectURI``
    /// (`http://127.0.0.1:PORT/…` or `http://localhost:PORT/…`), answers it with a page saying
    /// the tab may be closed, and returns the redirect's full URL. Cancelling the task stops
    /// listening (and throws `CancellationError`). `listening` is called once the address is
    /// bound: from then on the browser may be sent there.
    public func catchRedirect(listening: @escaping @Sendable () -> Void = {}) async throws -> String {
        try await LoopbackRedirect.wait(for: redirectURI, group: http.eventLoopGroup, listening: listening)
    }
}
