/// A Lua table copied out of a state, or built to be pushed into one.
///
/// The sequence part (keys 1...n) is kept in order in `array`; every other key is in `fields`.
/// `isArray` records that the table is a JSON array, so that an empty array stays `[]`.
public struct LuaTable: Sendable, Hashable {
    /// The values of keys 1...n.
    public var array: [LuaValue]
    /// The values of every other key.
    public var fields: [LuaValue: LuaValue]
    /// Whether the table is marked as an array (pushed with the JSON array marker).
    public var isArray: Bool

    /// An empty table that is not an array.
    public init() {
        array = []
        fields = [:]
        isArray = false
    }

    /// An array of these elements.
    public init(array: [LuaValue]) {
        self.array = array
        fields = [:]
        isArray = true
    }

    /// An object with these fields.
    public init(fields: [String: LuaValue]) {
        array = []
        self.fields = Dictionary(uniqueKeysWithValues: fields.map { (.string(LuaString($0.key)), $0.value) })
        isArray = false
    }

    /// Whether the table has no entries.
    public var isEmpty: Bool { array.isEmpty && fields.isEmpty }

    /// The value at a key, `nil` when absent; setting `nil` removes the key.
    public subscript(key: LuaValue) -> LuaValue {
        get {
            if let i = Self.arrayIndex(key), i < array.count { return array[i] }
            return fields[Self.normalized(key)] ?? .nil
        }
        set {
            let key = Self.normalized(key)
            if let i = Self.arrayIndex(key), i <= array.count {
                if case .nil = newValue {
                    if i < array.count {
                        let tail = array[(i + 1)...]
                        array.removeSubrange(i...)
                        for (offset, value) in tail.enumerated() { fields[.integer(Int64(i + 2 + offset))] = value }
                    }
                } else if i < array.count {
                    array[i] = newValue
                } else {
                    array.append(newValue)
                    absorbFields()
                }
                return
            }
            if case .nil = newValue { fields[key] = nil } else { fields[key] = newValue }
        }
    }

    /// The value of a string key.
    public subscript(key: String) -> LuaValue {
        get { self[.string(LuaString(key))] }
        set { self[.string(LuaString(key))] = newValue }
    }

    private mutating func absorbFields() {
        while let next = fields.removeValue(forKey: .integer(Int64(array.count + 1))) { array.append(next) }
    }

    /// Floats with an integer value are the same key as that integer, as in Lua.
    static func normalized(_ key: LuaValue) -> LuaValue {
        if case .number(let d) = key, let i = LuaValue.number(d).integerValue { return .integer(i) }
        return key
    }

    static func arrayIndex(_ key: LuaValue) -> Int? {
        guard let i = normalized(key).integerValueIfInteger, i >= 1, i <= Int64(Int.max) else { return nil }
        return Int(i - 1)
    }
}

extension LuaValue {
    var integerValueIfInteger: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }
}
