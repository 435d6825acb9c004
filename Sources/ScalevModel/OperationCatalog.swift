/// The 240 v3 business operations (`scalev-v3-operations.json`), parsed once and shared: the
/// client builds its requests from it, the sandbox its generic routes.
public struct OperationCatalog: Sendable {
    /// Every operation, in catalog order.
    public let operations: [CatalogOperation]
    private let index: [String: Int]

    /// The bundled catalog, parsed on first use, with what the API notes add to it (see
    /// ``amendedByNotes()``).
    public static func bundled() throws -> OperationCatalog {
        try bundledCatalog.get()
    }

    /// A catalog from its JSON text (`{"operations": [...]}`).
    public init(json bytes: [UInt8]) throws {
        let document = try JSON(parsing: bytes)
        guard let list = document["operations"].arrayValue else {
            throw JSONParseError(offset: 0, reason: "the catalog has no operations array")
        }
        var operations: [CatalogOperation] = []
        for item in list {
            guard let id = item["operationId"].stringValue, let method = item["method"].stringValue, let path = item["path"].stringValue else { continue }
            func parameters(_ key: String) -> [CatalogOperation.Parameter] {
                (item[key].arrayValue ?? []).compactMap { parameter in
                    parameter["name"].stringValue.map {
                        CatalogOperation.Parameter(
                            name: $0, required: parameter["required"].boolValue ?? false, type: parameter["schema"]["type"].stringValue,
                            allowed: parameter["schema"]["enum"].arrayValue?.compactMap(\.stringValue) ?? [])
                    }
                }
            }
            let request = item["requestBody"]
            let body = request.isNull ? nil : CatalogOperation.Body(
                required: request["required"].boolValue ?? false,
                contentTypes: request["contentTypes"].arrayValue?.compactMap(\.stringValue) ?? [],
                requiredFields: request["requiredFields"].arrayValue?.compactMap(\.stringValue) ?? [],
                properties: request["properties"].arrayValue?.compactMap(\.stringValue) ?? [])
            operations.append(CatalogOperation(
                operationID: id, method: method.uppercased(), path: path, summary: item["summary"].stringValue ?? "",
                scopes: item["scopes"].arrayValue?.compactMap(\.stringValue) ?? [], readOnly: item["readOnly"].boolValue ?? (method.uppercased() == "GET"),
                pathParameters: parameters("pathParams"), queryParameters: parameters("queryParams"), body: body))
        }
        self.init(operations: operations)
    }

    /// A catalog of these operations.
    public init(operations: [CatalogOperation]) {
        self.operations = operations
        index = Dictionary(operations.enumerated().map { ($1.operationID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The operation with this id.
    public func operation(_ operationID: String) -> CatalogOperation? {
        index[operationID].map { operations[$0] }
    }

    /// The operation id nearest to `name` (case, `_` and `-` ignored), if one is close enough.
    public func suggestion(for name: String) -> String? {
        NameSuggestion.catalogNames.nearest(to: name, among: operations.map(\.operationID))
    }
}

extension NameSuggestion {
    /// The rule for the catalog's operation ids and parameter names: case, `_` and `-` ignored,
    /// 2 edits allowed.
    public static let catalogNames = NameSuggestion(ignoresCaseAndSeparators: true, minimumEdits: 2)
}

/// Parsed once, on first use, for the whole process.
private let bundledCatalog: Result<OperationCatalog, any Error> = Result {
    try OperationCatalog(json: Array(CatalogResource.data())).amendedByNotes()
}
