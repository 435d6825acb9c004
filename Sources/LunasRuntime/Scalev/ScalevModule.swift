import Foundation
import LuaKit
import Scalev

/// The Lua `scalev` module: every v3 operation through `scalev.call`, named modules over the
/// common ones, iterators over pages, and `scalev.with(name)` for another granted credential.
/// Scripts never see a secret: the host signs each request.
public struct ScalevModule: Sendable {
    /// What the run may use.
    public let access: ScalevAccess
    /// The script's name, for budgets and traces.
    public let script: String
    /// The run's deadline: no request waits or retries past it.
    public let deadline: ContinuousClock.Instant?

    /// The module of one run.
    public init(access: ScalevAccess, script: String, deadline: ContinuousClock.Instant?) {
        self.access = access
        self.script = script
        self.deadline = deadline
    }

    var context: RequestContext {
        RequestContext(script: script, deadline: deadline, dryRun: access.dryRun, trace: access.trace, recordWrite: access.recordWrite)
    }

    /// Installs the global `scalev` in a state.
    public func install(in state: LuaState) throws {
        let module = self
        state.register("__scalev.fail") { call in throw LuaError(.usage, try call.string(1)) }
        state.register("__scalev.grant") { call in
            let name = try call.string(1)
            _ = try module.grant(.string(LuaString(name)))
            return [.string(LuaString(name))]
        }
        state.register("__scalev.kind") { call in
            let grant = try module.grant(call.value(1))
            return [.string(LuaString(grant.kind.rawValue)), grant.storeID.map { .string(LuaString($0)) } ?? .nil]
        }
        state.register("__scalev.progress") { call in
            guard let progress = module.access.progress else { return [] }
            let label = try call.string(1)
            let count = try call.value(2).integerValue ?? 0
            let done = try call.value(3).isTruthy
            let total = try call.value(4).integerValue
            progress.report(label: label, count: Int(count), total: total.map { Int($0) }, done: done)
            return []
        }
        state.registerAsync("__scalev.request") { arguments in
            let grant = try module.grant(arguments.first ?? .nil)
            let request = try ScalevRequest(
                method: Self.string(arguments, 1, "method"),
                path: Self.string(arguments, 2, "path"),
                query: Self.query(arguments.count > 3 ? arguments[3] : .nil),
                body: Self.body(arguments.count > 4 ? arguments[4] : .nil))
            return try await module.answer { try await grant.client.send(request, context: module.context) }
        }
        state.registerAsync("__scalev.call") { arguments in
            let grant = try module.grant(arguments.first ?? .nil)
            let operation = try Self.string(arguments, 1, "operation id")
            let params: [String: JSON]
            switch try Self.body(arguments.count > 2 ? arguments[2] : .nil) {
            case .object(let fields): params = fields
            case nil: params = [:]
            default: throw LuaError(.usage, "scalev.call: params must be a table of named parameters")
            }
            return try await module.answer { try await grant.client.call(operation, params, context: module.context) }
        }
        state.registerAsync("__scalev.budget") { arguments in
            let grant = try module.grant(arguments.first ?? .nil)
            guard let budget = module.access.budget else { return [.table(LuaTable())] }
            return [await budget(grant, module.script)]
        }
        _ = try state.call(state.compile(Self.luaSource, name: "=lunas.scalev"))
    }

    /// The grant a Lua handle names: `nil` is the run's default credential.
    func grant(_ handle: LuaValue) throws -> ScalevAccess.Grant {
        let name = handle.stringValue ?? access.defaultCredential
        if let grant = access.grants[name] { return grant }
        if access.grants.isEmpty {
            throw LuaError(.usage, """
                no Scalev credential: set \(CredentialResolver.apiKeyVariable) (and \(CredentialResolver.baseURLVariable) for another \
                origin), define one in lunas.toml, or try the local sandbox with `lunas run --sandbox`
                """)
        }
        let granted = access.grants.keys.sorted()
        let list = granted.isEmpty ? "none is" : granted.joined(separator: ", ") + (granted.count == 1 ? " is" : " are")
        throw LuaError(.usage, "credential '\(name)' is not granted to this script (\(list)); grant it in lunas.toml under [scripts.NAME] grants")
    }

    /// Runs a request and answers `status, body, dry_run`, or raises the API error as a table.
    func answer(_ send: () async throws -> ScalevResponse) async throws -> [LuaValue] {
        do {
            let response = try await send()
            return [.integer(Int64(response.status)), .string(LuaString(bytes: response.body)), .boolean(response.dryRun)]
        } catch let error as ScalevError {
            throw ScalevLuaError(error)
        }
    }

    static func string(_ arguments: [LuaValue], _ index: Int, _ what: String) throws -> String {
        guard index < arguments.count, let text = arguments[index].stringValue else {
            throw LuaError(.usage, "scalev: \(what) must be a string")
        }
        return text
    }

    /// Query parameters from a Lua table: scalars as text, lists joined with commas.
    static func query(_ value: LuaValue) throws -> [(String, String)] {
        guard case .table(let table) = value else { return [] }
        var pairs: [(String, String)] = []
        for (key, item) in table.fields {
            guard let name = key.stringValue else { throw LuaError(.usage, "scalev: query parameter names must be strings") }
            if case .table(let list) = item {
                pairs.append((name, try list.array.map { try scalar($0, name) }.joined(separator: ",")))
            } else {
                pairs.append((name, try scalar(item, name)))
            }
        }
        return pairs.sorted { $0.0 < $1.0 }
    }

    static func scalar(_ value: LuaValue, _ name: String) throws -> String {
        switch value {
        case .string(let s): return s.text ?? ""
        case .integer(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .boolean(let b): return b ? "true" : "false"
        default: throw LuaError(.usage, "scalev: query parameter '\(name)' must be a string, number or boolean, not \(value.typeName)")
        }
    }

    /// A JSON body from the text the Lua side encoded.
    static func body(_ value: LuaValue) throws -> JSON? {
        guard case .string(let text) = value else { return nil }
        return try JSON(parsing: text.bytes)
    }
}
