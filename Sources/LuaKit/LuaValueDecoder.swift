// Decodes any `Decodable` straight from a `LuaValue` (see LuaValue+Codable.swift).

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
