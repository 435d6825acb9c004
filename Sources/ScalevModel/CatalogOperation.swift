/// One v3 business operation of the catalog.
public struct CatalogOperation: Sendable, Hashable {
    /// A path or query parameter.
    public struct Parameter: Sendable, Hashable {
        /// Its name.
        public var name: String
        /// Whether it must be given.
        public var required: Bool
        /// Its JSON schema type (`string`, `integer`, `number`, `boolean`, `array`, `object`),
        /// when declared.
        public var type: String?
        /// The values it takes, when the catalog or the notes list them (an enum); empty = any.
        public var allowed: [String] = []
        /// Whether it takes a comma list (`status=paid,unpaid`), each item one of ``allowed``.
        public var isList = false
    }

    /// The request body's description.
    public struct Body: Sendable, Hashable {
        /// Whether a body must be sent.
        public var required: Bool
        /// Accepted content types (`application/json`, `multipart/form-data`).
        public var contentTypes: [String]
        /// Fields that must be present and not empty.
        public var requiredFields: [String]
        /// Known top-level fields (empty = not described).
        public var properties: [String]
        /// The type and allowed values of those fields the notes describe.
        public var fields: [Parameter] = []
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

    /// Whether the body is a multipart upload (which the client's `call` does not send).
    public var isMultipart: Bool {
        guard let body else { return false }
        return !body.contentTypes.contains("application/json") && body.contentTypes.contains { $0.hasPrefix("multipart/") }
    }

    /// Whether the operation is a cursor-paginated list (it takes `next_cursor` or `page_size`).
    public var isPaginated: Bool {
        queryParameters.contains { $0.name == "next_cursor" || $0.name == "page_size" }
    }

    /// The names of the path parameters as they appear in ``path``.
    public var templateNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}
