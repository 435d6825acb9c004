extension JSON {
    /// The text of a scalar in a query (lists comma-joined); `nil` for objects, `null` and lists
    /// holding either.
    public var queryText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .array(let items):
            let parts = items.compactMap(\.queryText)
            return parts.count == items.count ? parts.joined(separator: ",") : nil
        case .null, .object: return nil
        }
    }
}
