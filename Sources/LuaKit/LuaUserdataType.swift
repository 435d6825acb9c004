import CLua

/// A Swift type that scripts see as userdata: a name, methods, fields and metamethods.
///
/// ```swift
/// var cartType = LuaUserdataType<Cart>("Cart")
/// cartType.method("total") { cart, _ in [.integer(cart.total)] }
/// cartType.field("note", get: { .string(LuaString($0.note)) }, set: { cart, value in cart.note = value.stringValue ?? "" })
/// cartType.toString { "Cart(\($0.items.count) items)" }
/// ```
///
/// A host function gives scripts a value with ``LuaCall/push(_:as:)`` (or makes one with
/// ``LuaState/userdata(_:as:)``) and gets it back with ``LuaCall/userdata(_:as:)``. Scripts call
/// methods as `cart:total()`, read and assign fields as `cart.note`, and see the metatable only
/// as the type's name: `getmetatable(cart) == "Cart"`.
///
/// The Swift value lives in a table of its state (never in a `__gc` finalizer, which the
/// sandbox bans): it is kept while the userdata is reachable in Lua, released after Lua has
/// collected the userdata (the table is swept each time it has doubled in size), and at the
/// latest when the state closes. A value is never released while its userdata is reachable.
/// Types are told apart by name: one name stands for one type in a state.
public struct LuaUserdataType<Value>: Sendable {
    /// A method: the receiver, and the call whose arguments after the receiver start at index 2.
    public typealias Method = @Sendable (Value, LuaCall) throws -> [LuaValue]

    /// A field's accessors; a field without a setter is read-only.
    struct Field: Sendable {
        let get: @Sendable (Value) throws -> LuaValue
        let set: (@Sendable (inout Value, LuaValue) throws -> Void)?
    }

    /// The name scripts see: in messages, from `tostring` by default, from `getmetatable`.
    public let name: String
    /// The methods, each pushing its own results (or parking the script) and returning the count.
    var methods: [String: @Sendable (Value, LuaCall) throws -> Int32] = [:]
    var fields: [String: Field] = [:]
    var describe: (@Sendable (Value) -> String)?
    var equal: (@Sendable (Value, Value) -> Bool)?
    var count: (@Sendable (Value) -> Int)?
    var invoke: Method?

    /// A type with this name and no members yet.
    public init(_ name: String) { self.name = name }

    /// Adds a method, called as `value:name(...)`.
    public mutating func method(_ name: String, _ body: @escaping Method) {
        methods[name] = { value, call in try call.results(body(value, call)) }
    }

    /// Adds a field: `value.name` reads it; with `set`, `value.name = x` assigns it (the value
    /// kept in the state is updated), and without, assigning is an error.
    public mutating func field(_ name: String, get: @escaping @Sendable (Value) throws -> LuaValue,
                               set: (@Sendable (inout Value, LuaValue) throws -> Void)? = nil) {
        fields[name] = Field(get: get, set: set)
    }

    /// What `tostring(value)` gives (`__tostring`); `Name: 0x…` otherwise.
    public mutating func toString(_ body: @escaping @Sendable (Value) -> String) { describe = body }

    /// When two values of the type are equal (`__eq`); otherwise only a userdata equals itself.
    public mutating func equals(_ body: @escaping @Sendable (Value, Value) -> Bool) { equal = body }

    /// What `#value` gives (`__len`).
    public mutating func length(_ body: @escaping @Sendable (Value) -> Int) { count = body }

    /// What calling the value as a function does (`__call`); its arguments start at index 2.
    public mutating func callable(_ body: @escaping Method) { invoke = body }
}

extension LuaUserdataType where Value: Sendable {
    /// Adds an async method, called as `value:name(...)`: the script suspends at the call, as at
    /// a function registered with ``LuaState/registerAsync(_:_:)``, and `body` gets the
    /// receiver and the arguments after it.
    public mutating func asyncMethod(_ name: String, _ body: @escaping @Sendable (Value, [LuaValue]) async throws -> [LuaValue]) {
        methods[name] = { value, call in
            let arguments = Array(try call.arguments().dropFirst())
            return try call.suspend { try await body(value, arguments) }
        }
    }
}

extension LuaCall {
    /// Pushes a Swift value as a userdata of `type`.
    public func push<Value>(_ value: Value, as type: LuaUserdataType<Value>) {
        host.state.userdataValues.push(value, as: type, on: L, state: host.state)
    }

    /// Argument `index` as the Swift value of a userdata of `type`. A value of any other type is
    /// Lua's usual bad-argument error, naming the type expected: `(Cart expected, got table)`.
    public func userdata<Value>(_ index: Int32, as type: LuaUserdataType<Value>) throws -> Value {
        guard let found = host.state.userdataValues.lookup(index, as: type, on: L) else {
            throw argumentError(index, expected: type.name)
        }
        guard let value = found.value else {
            throw LuaError(.usage, "bad argument #\(index) to '\(functionName)' (the \(type.name) is no longer available)")
        }
        return value
    }
}

extension LuaState {
    /// A Swift value made into a userdata of `type` in this state, to set as a global or pass
    /// as an argument; `nil` once the state is closed.
    public func userdata<Value>(_ value: Value, as type: LuaUserdataType<Value>) -> LuaValue {
        guard (try? enter()) != nil else { return .nil }
        return withSoftAllocator {
            userdataValues.push(value, as: type, on: L, state: self)
            defer { clua_pop(L, 1) }
            return LuaStack(L: L).reference(at: -1, kind: .userdata).map { .reference($0) } ?? .nil
        }
    }
}
