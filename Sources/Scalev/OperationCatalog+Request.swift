import Foundation
import ScalevModel

extension OperationCatalog {
    /// The request for `operationID` with `params`: path parameters (`{id}`) filled from params,
    /// the rest to the query (`GET`/`DELETE`, or any declared query parameter) or the JSON body.
    /// A `body` param that is not a declared field gives the body's base object. Throws a
    /// ``ScalevError`` for an unknown operation, or for any ``ParameterProblem`` (see
    /// ``CatalogOperation/request(path:query:body:)``) — before anything is sent.
    public func request(_ operationID: String, _ params: [String: JSON]) throws -> ScalevRequest {
        guard let operation = operation(operationID) else {
            var message = "unknown operation '\(operationID)'"
            if let near = suggestion(for: operationID) { message += ", did you mean '\(near)'?" }
            throw ScalevError(status: nil, code: "unknown_operation", message: message, retryable: false, method: "CALL", path: operationID)
        }
        if operation.isMultipart {
            throw ScalevError(
                status: nil, code: "unsupported_operation", message: "\(operationID) uploads a multipart file, which call() does not send",
                retryable: false, method: operation.method, path: operation.path)
        }
        var remaining = params
        let values = operation.templateNames.map { remaining.removeValue(forKey: $0)?.queryText ?? "" }
        let queryNames = Set(operation.queryParameters.map(\.name))
        let bodyNames = Set(operation.body?.properties ?? [])
        var query: [String: JSON] = [:]
        var body: [String: JSON]?
        if operation.takesBody, !bodyNames.contains("body"), !queryNames.contains("body"), let base = remaining.removeValue(forKey: "body") {
            guard case .object(let members) = base else { throw operation.error(.wrongType(name: "body", expected: "table", given: CatalogOperation.Parameter.kind(of: base))) }
            body = members
        }
        for (name, value) in remaining {
            if queryNames.contains(name) || !operation.takesBody { query[name] = value } else { body = (body ?? [:]).merging([name: value]) { $1 } }
        }
        do {
            return try operation.request(path: values, query: query, body: body)
        } catch {
            throw operation.error(error)
        }
    }
}

extension CatalogOperation {
    /// Whether the operation sends a body: it declares one, or its method is not a read.
    public var takesBody: Bool { body != nil || !["GET", "DELETE", "HEAD"].contains(method) }

    /// The request with the path parameters' `values` in template order, `query` and `body`, each
    /// checked against the operation before anything is sent: every name is known (a body whose
    /// fields the catalog does not list takes any), every value has the parameter's type and is
    /// one of its allowed values (each item of a comma list), and the required ones are given.
    public func request(path values: [String], query: [String: JSON], body: [String: JSON]?) throws(ParameterProblem) -> ScalevRequest {
        var path = ""
        var names = templateNames.makeIterator()
        var given = values.makeIterator()
        for segment in self.path.split(separator: "/", omittingEmptySubsequences: true) {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else {
                path += "/" + segment
                continue
            }
            let name = names.next() ?? ""
            guard let text = given.next(), !text.isEmpty else { throw .missingPath(name) }
            path += "/" + (text.addingPercentEncoding(withAllowedCharacters: ScalevClient.unreserved) ?? text)
        }
        let known = queryParameters.map(\.name) + (self.body?.properties ?? [])
        var pairs: [(String, String)] = []
        for name in query.keys.sorted() {
            guard let value = query[name] else { continue }
            guard let parameter = queryParameters.first(where: { $0.name == name }) else { throw ParameterProblem.unknown(name, among: known) }
            if let problem = parameter.problem(with: value, inQuery: true) { throw problem }
            if let text = value.queryText { pairs.append((name, text)) }
        }
        let fields = body ?? [:]
        let properties = self.body?.properties ?? []
        for name in fields.keys.sorted() {
            guard let value = fields[name] else { continue }
            if let rule = self.body?.fields.first(where: { $0.name == name }) {
                if let problem = rule.problem(with: value, inQuery: false) { throw problem }
            } else if !properties.isEmpty, !properties.contains(name) {
                throw ParameterProblem.unknown(name, among: known)
            }
        }
        let givenQuery = Set(pairs.map(\.0))
        let requiredFields = (self.body?.requiredFields ?? []) + (self.body?.fields ?? []).filter(\.required).map(\.name)
        var missing = queryParameters.filter { $0.required && !givenQuery.contains($0.name) }.map(\.name)
        for field in requiredFields where !missing.contains(field) {
            switch fields[field] {
            case nil, .null?: missing.append(field)
            case .string(let text)? where text.isEmpty: missing.append(field)
            default: break
            }
        }
        if !missing.isEmpty { throw .missing(missing) }
        let sendsBody = takesBody && (self.body != nil || !fields.isEmpty)
        return ScalevRequest(method: method, path: path, query: pairs, body: sendsBody ? .object(fields) : nil)
    }

    /// A ``ParameterProblem`` as the ``ScalevError`` `call` raises, named by the operation id.
    func error(_ problem: ParameterProblem) -> ScalevError {
        func failure(_ code: String, _ message: String, _ errors: [ScalevError.FieldError] = []) -> ScalevError {
            ScalevError(status: nil, code: code, message: message, errors: errors, retryable: false, method: method, path: path)
        }
        switch problem {
        case .unknown(let name, let suggestion, let known):
            var message = "unknown parameter '\(name)' for \(operationID)"
            if let suggestion {
                message += ", did you mean '\(suggestion)'?"
            } else if !known.isEmpty {
                message += " (known: \(known.joined(separator: ", ")))"
            }
            return failure("unknown_parameter", message)
        case .notAllowed(let name, _, _), .wrongType(let name, _, _):
            let message = problem.message(operationID, noun: "parameter")
            return failure("invalid_parameter", message, [.init(field: name, message: message, code: "invalid")])
        case .missingPath(let name):
            return failure("missing_required", "\(operationID) needs the path parameter '\(name)' (\(path))", [.init(field: name, message: "is required")])
        case .missing(let names):
            return failure(
                "missing_required", "\(operationID) needs \(names.map { "'\($0)'" }.joined(separator: ", "))",
                names.map { ScalevError.FieldError(field: $0, message: "is required", code: "required") })
        }
    }
}
