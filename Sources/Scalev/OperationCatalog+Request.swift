import Foundation

extension OperationCatalog {
    /// The request for `operationID` with `params`: path parameters (`{id}`) filled from params,
    /// the rest to the query (`GET`/`DELETE`, or any declared query parameter) or the JSON body.
    /// A `body` param that is not a declared field gives the body's base object. Throws a
    /// ``ScalevError`` for an unknown operation or parameter (with the nearest name), a missing
    /// path or query parameter, or a missing required body field — before anything is sent.
    public func request(_ operationID: String, _ params: [String: JSON]) throws -> ScalevRequest {
        guard let operation = operation(operationID) else {
            var message = "unknown operation '\(operationID)'"
            if let near = suggestion(for: operationID) { message += ", did you mean '\(near)'?" }
            throw ScalevError(status: nil, code: "unknown_operation", message: message, retryable: false, method: "CALL", path: operationID)
        }
        func failure(_ code: String, _ message: String, _ errors: [ScalevError.FieldError] = []) -> ScalevError {
            ScalevError(status: nil, code: code, message: message, errors: errors, retryable: false, method: operation.method, path: operation.path)
        }
        if operation.isMultipart {
            throw failure("unsupported_operation", "\(operationID) uploads a multipart file, which call() does not send")
        }
        var remaining = params
        // Path.
        var path = ""
        for segment in operation.path.split(separator: "/", omittingEmptySubsequences: true) {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                path += "/" + segment
                continue
            }
            let name = String(segment.dropFirst().dropLast())
            guard let value = remaining.removeValue(forKey: name), let text = Self.scalarText(value), !text.isEmpty else {
                throw failure("missing_required", "\(operationID) needs the path parameter '\(name)' (\(operation.path))", [.init(field: name, message: "is required")])
            }
            path += "/" + (text.addingPercentEncoding(withAllowedCharacters: ScalevClient.unreserved) ?? text)
        }
        // Query and body.
        let queryNames = Set(operation.queryParameters.map(\.name))
        let bodyNames = Set(operation.body?.properties ?? [])
        let takesBody = operation.body != nil || !["GET", "DELETE", "HEAD"].contains(operation.method)
        var query: [(String, String)] = []
        var body: [String: JSON] = [:]
        if takesBody, !bodyNames.contains("body"), !queryNames.contains("body"), let base = remaining.removeValue(forKey: "body") {
            guard case .object(let members) = base else { throw failure("invalid_request", "\(operationID): 'body' must be an object") }
            body = members
        }
        for name in remaining.keys.sorted() {
            guard let value = remaining[name] else { continue }
            if queryNames.contains(name) || (!takesBody && operation.queryParameters.isEmpty) {
                if value == .null { continue }
                guard let text = Self.scalarText(value) else {
                    throw failure("invalid_request", "\(operationID): the query parameter '\(name)' must be a string, number, boolean or list of them")
                }
                query.append((name, text))
            } else if takesBody, bodyNames.isEmpty || bodyNames.contains(name) {
                body[name] = value
            } else {
                let known = operation.templateNames + operation.queryParameters.map(\.name) + (takesBody ? Array(bodyNames) : [])
                var message = "unknown parameter '\(name)' for \(operationID)"
                if let near = Self.nearest(name, among: known) {
                    message += ", did you mean '\(near)'?"
                } else if !known.isEmpty {
                    message += " (known: \(known.sorted().joined(separator: ", ")))"
                }
                throw failure("unknown_parameter", message)
            }
        }
        let given = Set(query.map(\.0))
        let missingQuery = operation.queryParameters.filter { $0.required && !given.contains($0.name) }.map(\.name)
        let missingBody = (operation.body?.requiredFields ?? []).filter { field in
            switch body[field] {
            case nil, .null?: return true
            case .string(let text)?: return text.isEmpty
            default: return false
            }
        }
        let missing = missingQuery + missingBody
        if !missing.isEmpty {
            throw failure(
                "missing_required", "\(operationID) needs \(missing.map { "'\($0)'" }.joined(separator: ", "))",
                missing.map { ScalevError.FieldError(field: $0, message: "is required", code: "required") })
        }
        let sendsBody = takesBody && (operation.body != nil || !body.isEmpty)
        return ScalevRequest(method: operation.method, path: path, query: query, body: sendsBody ? .object(body) : nil)
    }

    /// The query text of a scalar (lists comma-joined); `nil` for objects.
    static func scalarText(_ value: JSON) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items):
            let parts = items.compactMap(scalarText)
            return parts.count == items.count ? parts.joined(separator: ",") : nil
        case .null, .object: return nil
        }
    }
}
