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

// MARK: - Encoder

/// What one encoder produced: a scalar, the nodes of an array, or the nodes of an object.
final class LuaEncodingNode {
    var single: LuaValue?
    var elements: [LuaEncodingNode]?
    var fields: [String: LuaEncodingNode]?

    init(_ single: LuaValue? = nil) { self.single = single }

    /// The value built; an encoder that was given nothing yields an empty table, as JSON gives `{}`.
    var value: LuaValue {
        if let fields { return .table(LuaTable(fields: fields.mapValues(\.element))) }
        if let elements { return .table(LuaTable(array: elements.map(\.element))) }
        return single ?? .table(LuaTable())
    }

    /// The value as it sits in a table, where nil is `.null`.
    var element: LuaValue {
        let value = value
        return value == .nil ? .null : value
    }
}

struct LuaValueEncoder: Encoder, SingleValueEncodingContainer {
    let node: LuaEncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ key: any CodingKey) -> LuaValueEncoder { LuaValueEncoder(node: LuaEncodingNode(), codingPath: codingPath + [key]) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.fields == nil { node.fields = [:] }
        return KeyedEncodingContainer(LuaKeyedEncoding<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.elements == nil { node.elements = [] }
        return LuaUnkeyedEncoding(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() { node.single = .nil }

    func encode<T: Encodable>(_ value: T) throws {
        if let scalar = value as? any LuaScalar {
            node.single = try scalar.luaValue(at: codingPath)
        } else {
            try value.encode(to: self)
        }
    }

    // The protocols' defaults for 128-bit integers throw, and win over the generic method.
    func encode(_ value: Int128) throws { node.single = try value.luaValue(at: codingPath) }
    func encode(_ value: UInt128) throws { node.single = try value.luaValue(at: codingPath) }
}

struct LuaKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: LuaValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func add(_ key: any CodingKey) -> LuaValueEncoder {
        let child = encoder.child(key)
        encoder.node.fields?[key.stringValue] = child.node
        return child
    }

    func encodeNil(forKey key: Key) { encoder.node.fields?[key.stringValue] = LuaEncodingNode(.null) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = encoder.child(key)
        try child.encode(value)
        encoder.node.fields?[key.stringValue] = child.node
    }

    func encode(_ value: Int128, forKey key: Key) throws { try encode(value.luaValue(at: codingPath + [key]), forKey: key) }
    func encode(_ value: UInt128, forKey key: Key) throws { try encode(value.luaValue(at: codingPath + [key]), forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        add(key).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { add(key).unkeyedContainer() }
    func superEncoder() -> any Encoder { add(LuaCodingKey.superKey) }
    func superEncoder(forKey key: Key) -> any Encoder { add(key) }
}

struct LuaUnkeyedEncoding: UnkeyedEncodingContainer {
    let encoder: LuaValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.node.elements?.count ?? 0 }

    private func add() -> LuaValueEncoder {
        let child = encoder.child(LuaCodingKey(index: count))
        encoder.node.elements?.append(child.node)
        return child
    }

    func encodeNil() { encoder.node.elements?.append(LuaEncodingNode(.null)) }

    func encode<T: Encodable>(_ value: T) throws {
        let child = encoder.child(LuaCodingKey(index: count))
        try child.encode(value)
        encoder.node.elements?.append(child.node)
    }

    func encode(_ value: Int128) throws { try encode(value.luaValue(at: codingPath + [LuaCodingKey(index: count)])) }
    func encode(_ value: UInt128) throws { try encode(value.luaValue(at: codingPath + [LuaCodingKey(index: count)])) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        add().container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { add().unkeyedContainer() }
    func superEncoder() -> any Encoder { add() }
}

// MARK: - Decoder

struct LuaValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: LuaValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ value: LuaValue, _ key: any CodingKey) -> LuaValueDecoder { LuaValueDecoder(value: value, codingPath: codingPath + [key]) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .table(let table) = value else { throw luaMismatch([String: LuaValue].self, "a table", value, codingPath) }
        return KeyedDecodingContainer(LuaKeyedDecoding<Key>(decoder: self, table: table))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .table(let table) = value, table.isArray || !table.array.isEmpty || table.fields.isEmpty else {
            throw luaMismatch([LuaValue].self, "an array", value, codingPath)
        }
        return LuaUnkeyedDecoding(decoder: self, elements: table.array)
    }

    func singleValueContainer() -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNilOrNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let scalarType = type as? any LuaScalar.Type else { return try T(from: self) }
        guard let result = try scalarType.scalar(from: value, at: codingPath) as? T else {
            throw luaMismatch(type, "\(type)", value, codingPath)
        }
        return result
    }

    func decode(_ type: Int128.Type) throws -> Int128 { try Int128.scalar(from: value, at: codingPath) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try UInt128.scalar(from: value, at: codingPath) }
}

struct LuaKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: LuaValueDecoder
    let table: LuaTable
    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        let integers = (0..<table.array.count).map { Int64($0 + 1) } + table.fields.keys.compactMap(\.integerValueIfInteger)
        let strings = table.fields.keys.compactMap(\.stringValue)
        return integers.compactMap { Int(exactly: $0).flatMap(Key.init(intValue:)) ?? Key(stringValue: String($0)) }
            + strings.compactMap(Key.init(stringValue:))
    }

    private func lookup(_ key: any CodingKey) -> LuaValue {
        if let value = table.fields[.string(LuaString(key.stringValue))] { return value }
        if let i = key.intValue { return table[.integer(Int64(i))] }
        return .nil
    }

    private func present(_ key: Key) throws -> LuaValue {
        let value = lookup(key)
        guard value != .nil else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return value
    }

    func contains(_ key: Key) -> Bool { lookup(key) != .nil }
    func decodeNil(forKey key: Key) throws -> Bool { try present(key).isNilOrNull }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.child(present(key), key).decode(type) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try decoder.child(present(key), key).decode(type) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try decoder.child(present(key), key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(present(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(present(key), key).unkeyedContainer()
    }

    func superDecoder() -> any Decoder { decoder.child(lookup(LuaCodingKey.superKey), LuaCodingKey.superKey) }
    func superDecoder(forKey key: Key) -> any Decoder { decoder.child(lookup(key), key) }
}

struct LuaUnkeyedDecoding: UnkeyedDecodingContainer {
    let decoder: LuaValueDecoder
    let elements: [LuaValue]
    private(set) var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(decoder: LuaValueDecoder, elements: [LuaValue]) { (self.decoder, self.elements) = (decoder, elements) }

    /// A decoder for the current element; the index moves on only when `body` succeeds.
    private mutating func next<R>(_ type: Any.Type, _ body: (LuaValueDecoder) throws -> R) throws -> R {
        let result = try body(current(type))
        currentIndex += 1
        return result
    }

    private func current(_ type: Any.Type) throws -> LuaValueDecoder {
        let key = LuaCodingKey(index: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [key], debugDescription: "the array has only \(elements.count) elements"))
        }
        return decoder.child(elements[currentIndex], key)
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Never?.self).decodeNil() else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try next(type) { try $0.decode(type) } }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try next(type) { try $0.decode(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next(type) { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([LuaValue].self) { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try next(LuaValue.self) { $0 } }
}
