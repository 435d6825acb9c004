import LuaKit

/// The function a run calls once its chunk has run — a rule's entry point: `name` in the table
/// the chunk returned (`return { price = function(cart) ... end }`), else the global function of
/// that name, called with `input` (an event, a cart). Its results are the run's. The chunk and
/// the handler share the run's deadline.
public struct RunHandler: Sendable {
    /// The function's name.
    public var name: String
    /// Its arguments.
    public var input: [LuaValue]

    /// A handler.
    public init(_ name: String, input: [LuaValue] = []) {
        self.name = name
        self.input = input
    }

    /// The handler's function in `state`, after the chunk returned `exports`.
    func function(in state: LuaState, exports: [LuaValue], script: String) throws -> LuaFunction {
        if case .table(let table)? = exports.first, let function = table[name].functionValue { return function }
        if let function = state.global(name).functionValue { return function }
        throw LuaError(.usage, "\(script): no function '\(name)' to call: define it as a global function, or return a table that holds it")
    }
}
