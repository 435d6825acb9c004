// Codable conversions that work directly on `LuaValue`, with no JSON in between.

extension LuaValue {
    /// Encodes a Swift value as a Lua value.
    ///
    /// Integers of every width become `.integer`, `Float` and `Double` become `.number`, strings
    /// `.string` and booleans `.boolean`. Arrays become tables marked as arrays; keyed types become
    /// tables with string keys. `nil` inside an array or object becomes `.null`, so arrays keep their
    /// length; a `nil` at the top level is `.nil`. A `LuaValue` inside `value` is copied as it is.
    /// - Throws: `EncodingError.invalidValue` for an integer that does not fit in `Int64`.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = LuaValueEncoder(node: LuaEncodingNode(), codingPath: [])
        try encoder.encode(value)
        self = encoder.node.value
    }

    /// Decodes a Swift value from this value.
    ///
    /// Numbers convert when they are exact (`3.0` decodes as an `Int`, an integer as a `Double`);
    /// `.nil` and `.null` both read as `nil`. Keyed types read a table's string keys, and integer keys
    /// for coding keys with an `intValue`; arrays read the table's sequence part (keys 1...n), and a
    /// table with only other keys is not an array.
    /// - Throws: `DecodingError`, with the coding path of the value that did not fit.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try LuaValueDecoder(value: self, codingPath: []).decode(type)
    }
}

extension LuaValue: Codable {
    /// Encodes the value with any encoder: `nil` and `null` as nil, scalars as themselves, a table as
    /// an array when it is marked as one (or has only a sequence part), otherwise as an object keyed
    /// by each key's description.
    /// - Throws: `EncodingError.invalidValue` for a string that is not UTF-8, or a function,
    ///   userdata or coroutine.
    public func encode(to encoder: any Encoder) throws {
        if let encoder = encoder as? LuaValueEncoder {
            encoder.node.single = self
            return
        }
        switch self {
        case .table(let t) where t.isArray || (t.fields.isEmpty && !t.array.isEmpty):
            var container = encoder.unkeyedContainer()
            for element in t.array { try container.encode(element) }
        case .table(let t):
            var container = encoder.container(keyedBy: LuaCodingKey.self)
            for (i, element) in t.array.enumerated() { try container.encode(element, forKey: LuaCodingKey(intValue: i + 1)) }
            for (key, field) in t.fields { try container.encode(field, forKey: LuaCodingKey(stringValue: key.description)) }
        case .reference(let r):
            throw encodingError("a \(r.kind.rawValue)", encoder.codingPath)
        case .string(let s) where s.text == nil:
            throw encodingError("a string that is not valid UTF-8", encoder.codingPath)
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .boolean(let b): try container.encode(b)
            case .integer(let i): try container.encode(i)
            case .number(let d): try container.encode(d)
            case .string(let s): try container.encode(s.description)
            default: try container.encodeNil()
            }
        }
    }

    /// Decodes a value from any decoder, trying nil (as `.null`), `Bool`, `Int64`, `Double` and
    /// `String`, then an array (a table marked as one), then an object (a table with string keys).
    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? LuaValueDecoder {
            self = decoder.value
            return
        }
        if let c = try? decoder.singleValueContainer() {
            if c.decodeNil() { self = .null; return }
            if let b = try? c.decode(Bool.self) { self = .boolean(b); return }
            if let i = try? c.decode(Int64.self) { self = .integer(i); return }
            if let d = try? c.decode(Double.self) { self = .number(d); return }
            if let s = try? c.decode(String.self) { self = .string(LuaString(s)); return }
        }
        if var c = try? decoder.unkeyedContainer() {
            var array: [LuaValue] = []
            while !c.isAtEnd { array.append(try c.decode(LuaValue.self)) }
            self = .table(LuaTable(array: array))
            return
        }
        let c = try decoder.container(keyedBy: LuaCodingKey.self)
        var table = LuaTable()
        for key in c.allKeys { table.fields[.string(LuaString(key.stringValue))] = try c.decode(LuaValue.self, forKey: key) }
        self = .table(table)
    }

    private func encodingError(_ what: String, _ path: [any CodingKey]) -> EncodingError {
        EncodingError.invalidValue(self, .init(codingPath: path, debugDescription: "cannot encode \(what)"))
    }

    /// The value as error messages show it: `integer 42`, `string "abc"`, `table`.
    var codingDescription: String {
        switch self {
        case .boolean(let b): "boolean \(b)"
        case .integer(let i): "integer \(i)"
        case .number(let d): "number \(d)"
        case .string(let s): s.bytes.count > 40 ? "string \"\(s.description.prefix(40))…\"" : "string \"\(s)\""
        case .table(let t): t.isArray ? "array" : "table"
        default: description
        }
    }

    var isNilOrNull: Bool {
        switch self {
        case .nil, .null: true
        default: false
        }
    }
}

/// A coding key for array indices, `super` and table keys.
struct LuaCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?
    init(stringValue: String) { (self.stringValue, intValue) = (stringValue, nil) }
    init(intValue: Int) { (stringValue, self.intValue) = (String(intValue), intValue) }
    init(index: Int) { (stringValue, intValue) = ("Index \(index)", index) }
    static let superKey = LuaCodingKey(stringValue: "super")
}

// MARK: - Scalars

/// A type stored as a single Lua scalar.
protocol LuaScalar {
    func luaValue(at codingPath: [any CodingKey]) throws -> LuaValue
    static func scalar(from value: LuaValue, at codingPath: [any CodingKey]) throws -> Self
}

/// The error for a value of the wrong kind: `valueNotFound` for nil, `typeMismatch` otherwise.
func luaMismatch(_ type: Any.Type, _ expected: String, _ found: LuaValue, _ path: [any CodingKey]) -> DecodingError {
    let context = DecodingError.Context(codingPath: path, debugDescription: "expected \(expected), found \(found.codingDescription)")
    return found.isNilOrNull ? .valueNotFound(type, context) : .typeMismatch(type, context)
}

extension LuaScalar where Self: FixedWidthInteger {
    func luaValue(at codingPath: [any CodingKey]) throws -> LuaValue {
        guard let i = Int64(exactly: self) else {
            throw EncodingError.invalidValue(self, .init(codingPath: codingPath, debugDescription: "\(self) does not fit in a Lua integer"))
        }
        return .integer(i)
    }

    static func scalar(from value: LuaValue, at codingPath: [any CodingKey]) throws -> Self {
        let result: Self?
        switch value {
        case .integer(let i): result = Self(exactly: i)
        case .number(let d): result = Self(exactly: d)
        default: throw luaMismatch(Self.self, "an integer", value, codingPath)
        }
        guard let result else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(value.codingDescription) does not fit in \(Self.self)"))
        }
        return result
    }
}

extension LuaScalar where Self: BinaryFloatingPoint {
    static func scalar(from value: LuaValue, at codingPath: [any CodingKey]) throws -> Self {
        guard let d = value.doubleValue else { throw luaMismatch(Self.self, "a number", value, codingPath) }
        let result = Self(d)
        guard result.isFinite || !d.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(value.codingDescription) does not fit in \(Self.self)"))
        }
        return result
    }
}

extension Int: LuaScalar {}
extension Int8: LuaScalar {}
extension Int16: LuaScalar {}
extension Int32: LuaScalar {}
extension Int64: LuaScalar {}
extension UInt: LuaScalar {}
extension UInt8: LuaScalar {}
extension UInt16: LuaScalar {}
extension UInt32: LuaScalar {}
extension UInt64: LuaScalar {}
extension Int128: LuaScalar {}
extension UInt128: LuaScalar {}

extension Double: LuaScalar {
    func luaValue(at codingPath: [any CodingKey]) -> LuaValue { .number(self) }
}

extension Float: LuaScalar {
    /// Goes through the shortest decimal form, so `0.1 as Float` is `0.1` in Lua rather than `0.10000000149011612`.
    func luaValue(at codingPath: [any CodingKey]) -> LuaValue { .number(Double(description) ?? Double(self)) }
}

extension Bool: LuaScalar {
    func luaValue(at codingPath: [any CodingKey]) -> LuaValue { .boolean(self) }
    static func scalar(from value: LuaValue, at codingPath: [any CodingKey]) throws -> Bool {
        guard case .boolean(let b) = value else { throw luaMismatch(Bool.self, "a boolean", value, codingPath) }
        return b
    }
}

extension String: LuaScalar {
    func luaValue(at codingPath: [any CodingKey]) -> LuaValue { .string(LuaString(self)) }
    static func scalar(from value: LuaValue, at codingPath: [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw luaMismatch(String.self, "a string", value, codingPath) }
        guard let text = s.text else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "string is not valid UTF-8"))
        }
        return text
    }
}
