import ScalevModel

/// One Scalev API request, before the credential is applied.
public struct ScalevRequest: Sendable {
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    public var method: String
    /// `/v3/...` or `/v2/...`, without a query.
    public var path: String
    /// Query parameters in order (encoded by the client).
    public var query: [(String, String)]
    /// The JSON body, if any.
    public var body: JSON?
    /// Extra headers (e.g. `X-Scalev-Checkout-Intent-Token`). Credential headers
    /// (`Authorization`, `X-Scalev-Storefront-Api-Key`, `X-Scalev-Guest-Token`) are the
    /// client's own and are ignored here.
    public var headers: [(String, String)]
    /// The longest one attempt may take; `nil` = the client's ``ScalevClient/Configuration/requestTimeout``.
    public var timeout: Duration?

    /// A request.
    public init(
        method: String, path: String, query: [(String, String)] = [], body: JSON? = nil, headers: [(String, String)] = [], timeout: Duration? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers
        self.timeout = timeout
    }

    /// The value of the query parameter `name`, if present.
    public func queryValue(_ name: String) -> String? { query.first { $0.0 == name }?.1 }
}
