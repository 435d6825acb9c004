import ScalevModel

/// A request as the route handlers see it: parsed path, query, headers, body and the caller.
struct SandboxRequest: Sendable {
    var method: String
    var path: String
    var segments: [String]
    var query: [String: String]
    /// Header values by lower-cased name.
    var headers: [String: String]
    var rawBody: [UInt8]
    /// The body parsed as JSON, when it is JSON.
    var json: JSON?
    /// Path parameters by the route template's names.
    var params: [String: String] = [:]
    /// The client address rate limits of browser traffic are keyed by.
    var clientAddress: String
    var caller: Caller = .anonymous
    /// Simulated now, epoch seconds.
    var now: Double

    /// Who is calling, once authenticated.
    enum Caller: Sendable {
        case anonymous
        case business(BusinessCaller)
        case storefront(storeUniqueID: String)
        case customer(CustomerSession)
    }

    /// The path parameter `name`, or an empty string.
    func param(_ name: String) -> String { params[name] ?? "" }

    /// The member `key` of the JSON body.
    func body(_ key: String) -> JSON { json?[key] ?? .null }

    var businessCaller: BusinessCaller? {
        if case .business(let caller) = caller { return caller }
        return nil
    }

    var customerSession: CustomerSession? {
        if case .customer(let session) = caller { return session }
        return nil
    }

    /// `page_size` from the query, clamped to `1...maximum` (the sandbox clamps rather than refuses).
    func pageSize(default defaultSize: Int = 25, maximum: Int = 25) -> Int {
        guard let text = query["page_size"], let value = Int(text) else { return defaultSize }
        return min(max(1, value), maximum)
    }
}

/// An authenticated business caller: an API key or an OAuth access token.
struct BusinessCaller: Sendable {
    enum Kind: String, Sendable { case secretKey = "api_key", restrictedKey = "restricted_key", oauth = "oauth" }
    var kind: Kind
    /// Granted scopes; `nil` = all (an `sk_` key).
    var scopes: Set<String>?
    /// The budget this caller's requests count against.
    var rateKey: String
    var clientID: String?

    func allows(_ scope: String) -> Bool { scopes?.contains(scope) ?? true }
}

/// A signed-in storefront customer, from a verified access JWT.
struct CustomerSession: Sendable {
    var customerID: Int
    var storeUniqueID: String
    var family: String
}
