import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization

/// The Scalev API client: signs requests with one credential, paces them through the rate
/// budget, retries what is safe to retry, and hands back raw response bytes.
///
/// ```swift
/// let client = ScalevClient(configuration: .init(baseURL: "https://api.scalev.com"),
///                           credential: .apiKey(key), http: HTTPClient.shared)
/// let page = try await client.send(ScalevRequest(method: "GET", path: "/v3/orders"), context: RequestContext(script: "vip.lua"))
/// ```
public final class ScalevClient: Sendable {
    /// Where and how the client connects.
    public let configuration: Configuration
    /// The credential requests are signed with.
    public let credential: ScalevCredential
    let http: HTTPClient
    let vault: (any TokenVault)?
    let pacer: (any RequestPacer)?
    let logger: Logger?
    let transport: Transport
    let secretList: SecretList
    let tokens: TokenSession?
    let guestToken = Mutex<String?>(nil)
    let host: String
    /// `key:` + the first 16 hex digits of SHA-256 of the API key (empty for other credentials).
    let keyIdentity: String

    /// A client over a shared `HTTPClient` (never shut down by this client).
    ///
    /// - Parameters:
    ///   - vault: where OAuth and customer tokens are kept (required for those credentials).
    ///   - pacer: the rate budget every attempt passes through.
    ///   - logger: receives the same redacted lines as a context's trace, at debug level.
    public init(
        configuration: Configuration, credential: ScalevCredential, http: HTTPClient, vault: (any TokenVault)? = nil,
        pacer: (any RequestPacer)? = nil, logger: Logger? = nil
    ) {
        self.configuration = configuration
        self.credential = credential
        self.http = http
        self.vault = vault
        self.pacer = pacer
        self.logger = logger
        transport = Transport(http: http, maxBytes: configuration.maxResponseBytes)
        let endpoint = TokenEndpoint(transport: transport, baseURL: configuration.baseURL, timeout: configuration.requestTimeout)
        switch credential {
        case .apiKey(let key):
            secretList = SecretList([key])
            tokens = nil
        case .oauth(let installation):
            secretList = SecretList([installation.clientSecret ?? ""])
            tokens = TokenSession(kind: .oauth(installation), vault: vault, endpoint: endpoint, margin: configuration.refreshMargin, secrets: secretList)
        case .storefront(let publishableKey, _):
            secretList = SecretList([publishableKey])
            tokens = nil
        case .customer(let session):
            secretList = SecretList([session.publishableKey])
            tokens = TokenSession(kind: .customer(session), vault: vault, endpoint: endpoint, margin: configuration.refreshMargin, secrets: secretList)
        }
        if case .apiKey(let key) = credential {
            let hex = SHA256.hash(data: Data(key.utf8)).prefix(8).map { byte in
                String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
            }
            keyIdentity = "key:" + hex.joined()
        } else {
            keyIdentity = ""
        }
        let components = URLComponents(string: configuration.baseURL)
        host = (components?.host ?? configuration.baseURL) + (components?.port.map { ":\($0)" } ?? "")
    }

    /// A client with the same configuration, HTTP client, vault, pacer and logger, signing with
    /// another credential.
    public func bound(to credential: ScalevCredential) -> ScalevClient {
        ScalevClient(configuration: configuration, credential: credential, http: http, vault: vault, pacer: pacer, logger: logger)
    }

    /// Every secret this client may put on the wire (keys, client secret, tokens seen so far,
    /// the guest token), for log redaction.
    public var secrets: [String] { secretList.all }

    /// The guest-cart token issued to this storefront client, if any (a capability: keep it
    /// out of logs).
    public var currentGuestToken: String? { guestToken.withLock { $0 } }

    /// The rate budget `path` counts against under this client's credential.
    public func budgetKey(for path: String) -> BudgetKey {
        if path.hasPrefix("/v2") { return BudgetKey(family: .v2, identity: "v2@\(host)") }
        switch credential {
        case .apiKey:
            return BudgetKey(family: .business, identity: keyIdentity)
        case .oauth(let installation):
            return BudgetKey(family: .business, identity: "oauth:\(installation.vaultName):\(installation.businessID ?? "")")
        case .storefront(_, let storeID):
            return BudgetKey(family: .storefront, identity: "storefront:\(storeID)@\(host)")
        case .customer(let session):
            return BudgetKey(family: .storefront, identity: "storefront:\(session.storeID)@\(host)")
        }
    }

    /// `text` with every known secret replaced by `[redacted]`.
    public func redact(_ text: String) -> String { secretList.redact(text) }

    /// Sends a line to the context's trace and the logger, redacted.
    func trace(_ line: @autoclosure () -> String, _ context: RequestContext) {
        guard context.trace != nil || logger != nil else { return }
        let text = secretList.redact(line())
        context.trace?(text)
        logger?.debug("\(text)")
    }
}
