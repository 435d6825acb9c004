import Foundation
import ScalevCatalog

/// The 240 v3 business operations (`scalev-v3-operations.json`, from module `ScalevCatalog`),
/// parsed once and shared; drives ``ScalevClient/call(_:_:context:)``.
public struct OperationCatalog: Sendable {
    /// Every operation, in catalog order.
    public let operations: [CatalogOperation]
    private let index: [String: Int]

    /// The bundled catalog, parsed on first use.
    public static func bundled() throws -> OperationCatalog {
        try bundledCatalog.get()
    }

    /// A catalog from its JSON text (`{"operations": [...]}`).
    public init(json bytes: [UInt8]) throws {
        let document = try JSON(parsing: bytes)
        guard let list = document["operations"]?.arrayValue else {
            throw JSONParseError(offset: 0, reason: "the catalog has no operations array")
        }
        var operations: [CatalogOperation] = []
        for item in list {
            guard let id = item["operationId"]?.stringValue, let method = item["method"]?.stringValue, let path = item["path"]?.stringValue else { continue }
            func parameters(_ key: String) -> [CatalogOperation.Parameter] {
                (item[key]?.arrayValue ?? []).compactMap { parameter in
                    parameter["name"]?.stringValue.map {
                        CatalogOperation.Parameter(name: $0, required: parameter["required"]?.boolValue ?? false, type: parameter["schema"]?["type"]?.stringValue)
                    }
                }
            }
            var body: CatalogOperation.Body?
            if let request = item["requestBody"] {
                body = CatalogOperation.Body(
                    required: request["required"]?.boolValue ?? false,
                    contentTypes: request["contentTypes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    requiredFields: request["requiredFields"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    properties: request["properties"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
            operations.append(CatalogOperation(
                operationID: id, method: method.uppercased(), path: path, summary: item["summary"]?.stringValue ?? "",
                scopes: item["scopes"]?.arrayValue?.compactMap(\.stringValue) ?? [], readOnly: item["readOnly"]?.boolValue ?? false,
                pathParameters: parameters("pathParams"), queryParameters: parameters("queryParams"), body: body))
        }
        self.operations = operations
        index = Dictionary(operations.enumerated().map { ($1.operationID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The operation with this id.
    public func operation(_ operationID: String) -> CatalogOperation? {
        index[operationID].map { operations[$0] }
    }

    /// The operation id nearest to `name` (case, `_` and `-` ignored), if one is close enough.
    public func suggestion(for name: String) -> String? {
        Self.nearest(name, among: operations.map(\.operationID))
    }

    /// The candidate nearest to `name` by edit distance, ignoring case, `_` and `-`; `nil` when
    /// none is within a third of the name's length (at least 2 edits).
    public static func nearest(_ name: String, among candidates: [String]) -> String? {
        func normal(_ text: String) -> [Character] { Array(text.lowercased().filter { $0 != "_" && $0 != "-" }) }
        let target = normal(name)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(target, normal(candidate))
            if best == nil || distance < best?.1 ?? .max { best = (candidate, distance) }
        }
        guard let best, best.1 <= max(2, target.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Parsed once, on first use, for the whole process.
private let bundledCatalog: Result<OperationCatalog, ScalevError> = {
    do {
        return .success(try OperationCatalog(json: Array(try CatalogResource.data())))
    } catch {
        return .failure(ScalevError(
            status: nil, code: "catalog_unavailable", message: "the v3 operation catalog cannot be read (\(error))", retryable: false,
            method: "-", path: "-"))
    }
}()
