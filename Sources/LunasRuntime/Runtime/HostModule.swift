import LuaKit

/// A ``ScriptModule`` declared by its parts: synchronous and async functions, constants, and
/// functions that make userdata of a ``LuaUserdataType`` (a Swift value the script handles
/// through its methods and fields).
///
/// ```swift
/// let cart = HostModule("cart")
///     .constant("currency", "IDR")
///     .function("total") { call in [.integer(try call.integer(1) * 2)] }
///     .asyncFunction("stock") { arguments in [.integer(try await inventory.count(of: arguments))] }
///     .constructor("line", LineItem.type) { call in LineItem(sku: try call.string(1), quantity: try call.integer(2)) }
/// ```
///
/// A synchronous function reads its arguments from the ``LuaCall`` on the state's thread; an
/// async one gets them copied and suspends the script until it returns (inside `pcall`,
/// iterators and coroutines alike). An error either throws reaches the script as a Lua error —
/// a table with fields for a ``LuaErrorConvertible`` error.
public struct HostModule: ScriptModule {
    /// The global the module is installed as.
    public let name: String
    private var members: [(name: String, member: Member)] = []

    private enum Member: Sendable {
        case function(@Sendable (LuaCall) throws -> [LuaValue])
        case asyncFunction(@Sendable ([LuaValue]) async throws -> [LuaValue])
        case constant(LuaValue)
        case raw(@Sendable (LuaCall) throws -> Int32)
    }

    /// An empty module installed as the global `name`.
    public init(_ name: String) {
        self.name = name
    }

    /// The module with a synchronous function `name` added.
    public func function(_ name: String, _ body: @escaping @Sendable (LuaCall) throws -> [LuaValue]) -> HostModule {
        adding(name, .function(body))
    }

    /// The module with an async function `name` added.
    public func asyncFunction(_ name: String, _ body: @escaping @Sendable ([LuaValue]) async throws -> [LuaValue]) -> HostModule {
        adding(name, .asyncFunction(body))
    }

    /// The module with the constant `name` added (each run gets its own copy).
    public func constant(_ name: String, _ value: LuaValue) -> HostModule {
        adding(name, .constant(value))
    }

    /// The module with a function `name` that makes a userdata of `type` from its arguments:
    /// scripts call its methods and read its fields, and the Swift value stays the host's (kept
    /// by the state, released with it).
    public func constructor<Value>(_ name: String, _ type: LuaUserdataType<Value>, _ body: @escaping @Sendable (LuaCall) throws -> Value) -> HostModule {
        adding(name, .raw { call in
            call.push(try body(call), as: type)
            return 1
        })
    }

    /// Its functions' and constants' names.
    public var fields: Set<String> { Set(members.map(\.name)) }

    /// Installs the module as the global ``name``.
    public func install(in state: LuaState) throws {
        state.setGlobal(name, .table(LuaTable()))
        for (field, member) in members {
            let path = "\(name).\(field)"
            switch member {
            case .function(let body): state.register(path, body)
            case .asyncFunction(let body): state.registerAsync(path, body)
            case .constant(let value): state.setGlobal(path, value)
            case .raw(let body): state.registerRaw(path, body)
            }
        }
    }

    private func adding(_ field: String, _ member: Member) -> HostModule {
        var module = self
        module.members.removeAll { $0.name == field }
        module.members.append((field, member))
        return module
    }
}
