/// What is wrong with the parameters of a call, found before anything is sent. Both ways of
/// calling Scalev — `scalev.call` and the named Lua functions — report these, each in its words.
public enum ParameterProblem: Error, Sendable, Hashable {
    /// A name the operation does not take; `suggestion` is the nearest known name, `known` all of them.
    case unknown(name: String, suggestion: String?, known: [String])
    /// A value, or one item of a comma list, outside the values the parameter takes.
    case notAllowed(name: String, value: String, allowed: [String])
    /// A value of the wrong kind: `expected` is the parameter's type, `given` what came.
    case wrongType(name: String, expected: String, given: String)
    /// A path parameter not given, or empty.
    case missingPath(String)
    /// Required query parameters or body fields not given, or empty.
    case missing([String])

    /// The problem of a name `known` does not hold, with the nearest one (`page_sise` ->
    /// `page_size`) or the parameter a name from elsewhere stands for (`cursor` -> `next_cursor`).
    public static func unknown(_ name: String, among known: [String]) -> ParameterProblem {
        let alias = aliases[name]?.first(where: known.contains)
        return .unknown(name: name, suggestion: alias ?? NameSuggestion.catalogNames.nearest(to: name, among: known), known: known.sorted())
    }

    /// Names scripts bring from other APIs, and what Scalev calls them.
    static let aliases: [String: [String]] = [
        "cursor": ["next_cursor", "last_id"], "page": ["next_cursor", "last_id"], "after": ["next_cursor", "last_id"],
        "limit": ["page_size"], "per_page": ["page_size"], "size": ["page_size"],
    ]

    /// The text of the problem after `subject` (`scalev.orders.list`, `listOrders`); `noun` names an
    /// unknown parameter (`filter`, `field`, `parameter`).
    public func message(_ subject: String, noun: String) -> String {
        switch self {
        case .unknown(let name, let suggestion, let known):
            let hint = suggestion.map { " (did you mean '\($0)'?)" }
                ?? (known.isEmpty ? " (it takes none)" : " (known: \(known.joined(separator: ", ")))")
            return "\(subject): unknown \(noun) '\(name)'\(hint)"
        case .notAllowed(let name, let value, let allowed):
            return "\(subject): \(name) '\(value)' is not one of: \(allowed.joined(separator: ", "))"
        case .wrongType(let name, let expected, let given):
            return "\(subject): \(name) must be \(Self.article(expected)), got \(Self.article(given))"
        case .missingPath(let name):
            return "\(subject): needs the path parameter '\(name)'"
        case .missing(let names):
            return "\(subject): needs \(names.map { "'\($0)'" }.joined(separator: ", "))"
        }
    }

    static func article(_ kind: String) -> String {
        kind == "null" ? "nil" : (["a", "e", "i", "o", "u"].contains(kind.first.map(String.init) ?? "") ? "an " : "a ") + kind
    }
}

extension CatalogOperation.Parameter {
    /// What is wrong with `value` for this parameter: its type (an integer passes for a string; in
    /// a query, where everything is text, `"25"` passes for an integer and `"true"` for a
    /// boolean), then its allowed values, item by item for a comma list. `nil` when it is fine.
    public func problem(with value: JSON, inQuery: Bool) -> ParameterProblem? {
        if value == .null { return nil }
        if let type, !Self.fits(value, type: type, inQuery: inQuery, isList: isList) {
            return .wrongType(name: name, expected: ["array": "list", "object": "table"][type] ?? type, given: Self.kind(of: value))
        }
        guard !allowed.isEmpty, let text = value.queryText else { return nil }
        let items = isList ? text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) : [text]
        if let outside = items.first(where: { !allowed.contains($0) }) {
            return .notAllowed(name: name, value: outside, allowed: allowed)
        }
        return nil
    }

    static func fits(_ value: JSON, type: String, inQuery: Bool, isList: Bool) -> Bool {
        if inQuery, case .array(let items) = value {
            return isList && items.allSatisfy { fits($0, type: type, inQuery: true, isList: false) }
        }
        switch (type, value) {
        case ("string", .string), ("string", .integer): return true
        case ("string", .bool), ("string", .double): return inQuery
        case ("integer", .integer): return true
        case ("integer", .double(let number)): return number.rounded() == number && abs(number) < 9e15
        case ("integer", .string(let text)): return inQuery && Int64(text) != nil
        case ("number", .integer), ("number", .double): return true
        case ("number", .string(let text)): return Double(text) != nil
        case ("boolean", .bool): return true
        case ("boolean", .string(let text)): return inQuery && (text == "true" || text == "false")
        case ("array", .array), ("object", .object): return true
        case ("string", _), ("integer", _), ("number", _), ("boolean", _), ("array", _), ("object", _): return false
        default: return true
        }
    }

    /// The kind of a value as a script says it: `string`, `integer`, `number`, `boolean`, `list`,
    /// `table` or `null`.
    public static func kind(of value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "list"
        case .object: "table"
        }
    }
}
