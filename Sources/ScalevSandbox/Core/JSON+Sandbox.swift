import ScalevModel

/// The sandbox's readings of stored resources, lenient the way its handlers need: request bodies
/// send numbers as strings and ids as numbers.
extension JSON {
    /// Parses a JSON text; `nil` when it is not valid JSON.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSON? {
        try? JSON(parsing: Array(bytes))
    }

    /// An integer from a Swift `Int`.
    public static func int(_ value: Int) -> JSON { .integer(Int64(value)) }

    /// The string, or the decimal text of a number.
    public var textValue: String? {
        switch self {
        case .string(let value): return value
        case .integer(let value): return String(value)
        case .double(let value): return String(value)
        default: return nil
        }
    }

    /// The integer, also from an integral double or a numeric string.
    public var intValue: Int? {
        switch self {
        case .integer(let value): return Int(exactly: value)
        case .double(let value): return value == value.rounded() ? Int(exactly: value) : nil
        case .string(let value): return Int(value)
        default: return nil
        }
    }

    /// The number as a double, also from a numeric string.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .double(let value): return value
        case .string(let value): return Double(value)
        default: return nil
        }
    }
}

extension Optional where Wrapped == String {
    /// The string as JSON, `null` when absent.
    var json: JSON { map(JSON.string) ?? .null }
}
