/// A Lua value copied out of (or into) a state.
///
/// Integers stay `Int64`, strings stay bytes, and tables keep whether they are arrays, so a value
/// can travel between Lua, Swift and JSON without losing anything. Functions, userdata and
/// coroutines are references that are only meaningful in the state they came from.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(LuaString)
    case table(LuaTable)
    /// JSON `null` (`json.null` in Lua): a value that, unlike `nil`, can sit in a table.
    case null
    /// A function, userdata or coroutine held in its state's registry.
    case reference(LuaReference)

    /// The Lua type name (`"nil"`, `"number"`, ...), as `type()` would say.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .null: "userdata"
        case .reference(let ref): ref.kind.rawValue
        }
    }

    /// The value as Lua's truth test sees it: only `nil` and `false` are false.
    public var isTruthy: Bool {
        switch self {
        case .nil, .boolean(false): false
        default: true
        }
    }

    /// The string's text, when the value is a string of valid UTF-8.
    public var stringValue: String? {
        if case .string(let s) = self { return s.text }
        return nil
    }

    /// The integer, also from a float with an exact integer value (as `math.tointeger`).
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d):
            guard d.rounded() == d, d >= -0x1p63, d < 0x1p63 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    /// The number as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// The table, when the value is one.
    public var tableValue: LuaTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// `self[key]` for tables, `nil` otherwise.
    public subscript(key: String) -> LuaValue {
        tableValue?[.string(LuaString(key))] ?? .nil
    }

    /// `self[index]` (1-based, as in Lua) for tables, `nil` otherwise.
    public subscript(index: Int) -> LuaValue {
        tableValue?[.integer(Int64(index))] ?? .nil
    }
}

extension LuaValue {
    /// A string value of this text.
    public init(_ text: String) { self = .string(LuaString(text)) }
    /// An integer value.
    public init(_ integer: Int) { self = .integer(Int64(integer)) }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(LuaString(value)) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        var table = LuaTable()
        for (key, value) in elements { table[.string(LuaString(key))] = value }
        self = .table(table)
    }
}

/// A Lua string: bytes with a length, which may hold NULs or be invalid UTF-8.
public struct LuaString: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The bytes of the string.
    public var bytes: [UInt8]

    /// A string of these bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 { self.bytes = Array(bytes) }
    /// The UTF-8 bytes of `text`.
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The text, when the bytes are valid UTF-8.
    public var text: String? { String(validating: bytes, as: UTF8.self) }

    /// The text, with invalid bytes replaced by U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

extension LuaValue: CustomStringConvertible {
    /// A short rendering: scalars as Lua prints them, `table`, `function` and so on otherwise.
    public var description: String {
        switch self {
        case .nil: "nil"
        case .boolean(let b): String(b)
        case .integer(let i): String(i)
        case .number(let d): d.description
        case .string(let s): s.description
        case .null: "null"
        case .table: "table"
        case .reference(let r): r.kind.rawValue
        }
    }
}
