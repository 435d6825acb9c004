/// One v3 business operation of the catalog.
public struct CatalogOperation: Sendable {
    /// A path or query parameter.
    public struct Parameter: Sendable, Equatable {
        /// Its name.
        public var name: String
        /// Whether it must be given.
        public var required: Bool
        /// Its JSON schema type (`string`, `integer`, `boolean`, …), when declared.
        public var type: String?
    }

    /// The request body's description.
    public struct Body: Sendable {
        /// Whether a body must be sent.
        public var required: Bool
        /// Accepted content types (`application/json`, `multipart/form-data`).
        public var contentTypes: [String]
        /// Fields that must be present and not empty.
        public var requiredFields: [String]
        /// Known top-level fields (empty = not described).
        public var properties: [String]
    }

    /// The operation id, e.g. `listOrders`.
    public var operationID: String
    /// The HTTP method.
    public var method: String
    /// The path template, e.g. `/v3/orders/{id}`.
    public var path: String
    /// A one-line summary.
    public var summary: String
    /// Scopes that allow it.
    public var scopes: [String]
    /// Whether the catalog marks it read-only.
    public var readOnly: Bool
    /// Path parameters in template order.
    public var pathParameters: [Parameter]
    /// Query parameters.
    public var queryParameters: [Parameter]
    /// The body, if the operation takes one.
    public var body: Body?

    /// Whether the body is a multipart upload (not sent by ``ScalevClient/call(_:_:context:)``).
    public var isMultipart: Bool {
        guard let body else { return false }
        return !body.contentTypes.contains("application/json") && body.contentTypes.contains { $0.hasPrefix("multipart/") }
    }

    /// The names of the path parameters as they appear in ``path``.
    var templateNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}
