import ScalevModel

/// A successful (2xx) answer, body untouched: the caller decodes only what it needs.
public struct ScalevResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// Response headers in order.
    public var headers: [(String, String)]
    /// The raw body bytes (v3: the object, list or paginated envelope; v2: the `{code, status, data}` envelope).
    public var body: [UInt8]
    /// Whether this answer was made up by a dry run instead of sent.
    public var dryRun: Bool

    /// A response.
    public init(status: Int, headers: [(String, String)], body: [UInt8], dryRun: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.dryRun = dryRun
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.0.lowercased() == lower }?.1
    }

    /// The body parsed as JSON (`null` for an empty body).
    public func json() throws -> JSON {
        body.isEmpty ? .null : try JSON(parsing: body)
    }
}
