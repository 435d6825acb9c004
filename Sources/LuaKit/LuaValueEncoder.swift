// Encodes any `Encodable` straight into a `LuaValue` (see LuaValue+Codable.swift).

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
