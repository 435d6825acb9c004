/// A JSON value: request parameters and bodies on the client, stored resources in the sandbox.
///
/// Integers stay integers (up to 2^63-1), `null` is a value of its own, and arrays and objects
/// stay distinguishable, so a body goes from Lua to the wire, and a resource from the sandbox's
/// store to its answers, without losing anything.
public enum JSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object; member order is not kept (encoding sorts the keys).
    case object([String: JSON])
}

extension JSON {
    /// The member `key` of an object; `.null` for a missing key or anything but an object.
    /// Setting it on an object sets the member; on anything else it does nothing.
    public subscript(key: String) -> JSON {
        get {
            if case .object(let members) = self { return members[key] ?? .null }
            return .null
        }
        set {
            if case .object(var members) = self {
                members[key] = newValue
                self = .object(members)
            }
        }
    }

    /// The element at `index` of an array; `nil` for anything else or out of range.
    public subscript(index: Int) -> JSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    /// The text of a string value.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value of an integer (or of an integral double).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    /// The members of an object.
    public var objectValue: [String: JSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements of an array.
    public var arrayValue: [JSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The value of a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Whether this is `null` (also what a missing member reads as).
    public var isNull: Bool { self == .null }
}
