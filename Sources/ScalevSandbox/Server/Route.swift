/// One served method and path template, with who may call it and what its body must hold.
struct Route: Sendable {
    typealias Handler = @Sendable (SandboxRequest, inout SandboxState) throws -> SandboxReply

    /// Who may call a route, which decides the credential checked and the rate-limit key.
    enum Access: Sendable, Equatable {
        /// `Authorization: Bearer sk_…/rk_…/OAuth token`; counted per credential.
        case business
        /// `X-Scalev-Storefront-Api-Key` for the path's store; counted per client address.
        case storefront
        /// `Authorization: Bearer <customer JWT>` (plus the storefront key when sent); per client address.
        case customer
        /// No credential (OAuth endpoints authenticate clients in the body); per client address.
        case open
        /// Legacy v2 business routes; `{code,status,data}` envelope; per client address.
        case v2
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    var method: String
    var template: String
    var segments: [Segment]
    var access: Access
    /// Scopes any one of which admits a restricted key or OAuth token.
    var scopes: [String]
    var requiredFields: [String]
    var multipart: Bool
    var operationID: String?
    var handler: Handler

    init(
        _ method: String, _ template: String, access: Access, scopes: [String] = [], requiredFields: [String] = [],
        multipart: Bool = false, operationID: String? = nil, handler: @escaping Handler
    ) {
        self.method = method
        self.template = template
        self.segments = template.split(separator: "/").map { part in
            part.hasPrefix("{") && part.hasSuffix("}")
                ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        self.access = access
        self.scopes = scopes
        self.requiredFields = requiredFields
        self.multipart = multipart
        self.operationID = operationID
        self.handler = handler
    }

    /// The template with parameter names erased, e.g. `GET /v3/orders/{}`.
    var shape: String { Route.shape(method: method, segments: segments) }

    static func shape(method: String, segments: [Segment]) -> String {
        method + " /" + segments.map { segment in
            if case .literal(let text) = segment { return text }
            return "{}"
        }.joined(separator: "/")
    }

    static func shape(method: String, template: String) -> String {
        Route(method, template, access: .open) { _, _ in .noContent }.shape
    }

    /// Path parameters when `pathSegments` fits this template.
    func match(_ pathSegments: [String]) -> [String: String]? {
        guard pathSegments.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (segment, actual) in zip(segments, pathSegments) {
            switch segment {
            case .literal(let text): if text != actual { return nil }
            case .parameter(let name): params[name] = actual
            }
        }
        return params
    }
}
