import Foundation
import ScalevCatalog

/// The v3 business operation catalog bundled with the sandbox (240 operations): method, path,
/// scopes and required body fields of each.
public struct OperationCatalog: Sendable {
    /// One catalogued operation.
    public struct Operation: Sendable, Hashable {
        /// The OpenAPI operation id, e.g. `listBundles`.
        public var operationID: String
        /// Upper-case HTTP method.
        public var method: String
        /// Path template, e.g. `/v3/orders/{id}`.
        public var path: String
        /// Scopes of which a restricted key or OAuth token needs one.
        public var scopes: [String]
        /// Body fields the operation requires.
        public var requiredBodyFields: [String]
        /// Whether the operation takes a request body.
        public var hasBody: Bool
        /// Whether that body is `multipart/form-data`.
        public var multipart: Bool
        /// Whether the operation lists cursor parameters (a paginated list).
        public var paginated: Bool
        /// Whether the operation only reads.
        public var readOnly: Bool
    }

    /// Every operation, in catalog order.
    public var operations: [Operation]

    /// The catalog shipped in the module's resources.
    public static func bundled() throws -> OperationCatalog {
        try OperationCatalog(data: CatalogResource.data())
    }

    /// Parses catalog JSON (the shape of `scalev-v3-operations.json`).
    public init(data: Data) throws {
        guard let root = JSONValue.parse(data), let list = root["operations"].arrayValue else {
            throw CocoaError(.fileReadCorruptFile)
        }
        operations = list.compactMap { entry in
            guard let method = entry["method"].stringValue, let path = entry["path"].stringValue else { return nil }
            let body = entry["requestBody"]
            let types = body["contentTypes"].arrayValue?.compactMap(\.stringValue) ?? []
            let queryNames = entry["queryParams"].arrayValue?.compactMap { $0["name"].stringValue } ?? []
            return Operation(
                operationID: entry["operationId"].stringValue ?? "\(method) \(path)",
                method: method.uppercased(), path: path,
                scopes: entry["scopes"].arrayValue?.compactMap(\.stringValue) ?? [],
                requiredBodyFields: body["requiredFields"].arrayValue?.compactMap(\.stringValue) ?? [],
                hasBody: !body.isNull, multipart: types.contains("multipart/form-data"),
                paginated: queryNames.contains("next_cursor") || queryNames.contains("page_size"),
                readOnly: entry["readOnly"].boolValue ?? (method == "GET"))
        }
    }

    /// Every scope named by an operation, plus the checkout-intent scopes of the routes the catalog
    /// does not list.
    public var allScopes: Set<String> {
        Set(operations.flatMap(\.scopes)).union(["checkout_intent:list", "checkout_intent:read", "checkout_intent:follow_up"])
    }

    /// The operation with this method and (parameter-name-insensitive) path template.
    func operation(method: String, template: String) -> Operation? {
        let shape = Route.shape(method: method, template: template)
        return shapeIndex[shape]
    }

    private var shapeIndex: [String: Operation] {
        Dictionary(operations.map { (Route.shape(method: $0.method, template: $0.path), $0) }, uniquingKeysWith: { first, _ in first })
    }
}
