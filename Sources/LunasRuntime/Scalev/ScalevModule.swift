import Foundation
import LuaKit
import Scalev
import ScalevModel

/// The Lua `scalev` module: every v3 operation through `scalev.call`, named modules over the
/// common ones, iterators over pages, and `scalev.with(name)` for another granted credential.
/// Scripts never see a secret: the host signs each request.
public struct ScalevModule: ScriptModule {
    /// The global it is installed as.
    public var name: String { "scalev" }
    /// Its fields, read off the module once (``fieldPaths()``).
    public var fields: Set<String> { Self.knownFields }
    static let knownFields: Set<String> = (try? fieldPaths()) ?? []

    /// What the run may use.
    public let access: ScalevAccess
    /// The script's name, for budgets and traces.
    public let script: String
    /// The run's deadline: no request waits or retries past it.
    public let deadline: ContinuousClock.Instant?
    /// The run's API calls, against its cap.
    public let calls: CallTally
    /// A rules file's top-level gate: closed, every call that reaches a credential fails.
    var gate: TopLevelGate?

    /// The module of one run.
    public init(access: ScalevAccess, script: String, deadline: ContinuousClock.Instant?, calls: CallTally = CallTally()) {
        self.access = access
        self.script = script
        self.deadline = deadline
        self.calls = calls
    }

    var context: RequestContext {
        RequestContext(
            script: script, deadline: deadline, dryRun: access.dryRun, trace: access.trace, recordWrite: access.recordWrite, calls: calls)
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
        state.register("__scalev.check") { call in
            _ = try Self.request(
                call.string(1), Self.operation(call.string(2)), ids: call.value(3), query: call.value(4), body: .nil)
            return []
        }
        state.register("__scalev.nearest") { call in
            let name = try call.string(1)
            let names = try call.table(2).array.compactMap(\.stringValue)
            return [ScriptGlobals.nearest(to: name, in: names).map { .string(LuaString($0)) } ?? .nil]
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
        state.registerAsync("__scalev.operation") { arguments in
            let grant = try module.grant(arguments.first ?? .nil)
            func argument(_ index: Int) -> LuaValue { index < arguments.count ? arguments[index] : .nil }
            let request = try Self.request(
                Self.string(arguments, 1, "function name"), Self.operation(Self.string(arguments, 2, "operation id")),
                ids: argument(3), query: argument(4), body: argument(5))
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
            let withHeaders = arguments.count > 3 && arguments[3].isTruthy
            return try await module.answer(headers: withHeaders) { try await grant.client.call(operation, params, context: module.context) }
        }
        state.registerAsync("__scalev.budget") { arguments in
            let grant = try module.grant(arguments.first ?? .nil)
            var report = LuaTable()
            if let budget = module.access.budget, case .table(let snapshot) = await budget(grant, module.script) { report = snapshot }
            report["calls"] = .integer(Int64(module.calls.count))
            if let limit = module.calls.limit { report["max_calls"] = .integer(Int64(limit)) }
            return [.table(report)]
        }
        try HostChunk.scalev.run(in: state)
    }

    /// The fields of the `scalev` global as dotted paths (`orders`, `orders.each`, `with`), read
    /// off the module itself (installed in a state of its own, with nothing granted): what
    /// `lunas check` knows of it.
    public static func fieldPaths() throws -> Set<String> {
        let state = try LuaState()
        try ScalevModule(access: ScalevAccess(grants: [], defaultCredential: "none"), script: "check", deadline: nil).install(in: state)
        return try ScriptGlobals.fieldPaths(of: "scalev", in: state)
    }

    /// Why a run with no credential granted cannot use `scalev`, and what to do.
    public static let noCredential = """
        no Scalev credential: set \(CredentialResolver.apiKeyVariable) (and \(CredentialResolver.baseURLVariable) for another \
        origin), define one in lunas.toml, or try the local sandbox with `lunas run --sandbox`
        """

    /// The grant a Lua handle names: `nil` is the run's default credential.
    func grant(_ handle: LuaValue) throws -> ScalevAccess.Grant {
        try gate?.check("scalev")
        let name = handle.stringValue ?? access.defaultCredential
        if let grant = access.grants[name] { return grant }
        if access.grants.isEmpty { throw LuaError(.usage, Self.noCredential) }
        let granted = access.grants.keys.sorted()
        let list = granted.isEmpty ? "none is" : granted.joined(separator: ", ") + (granted.count == 1 ? " is" : " are")
        throw LuaError(.usage, "credential '\(name)' is not granted to this script (\(list)); grant it in lunas.toml under [scripts.NAME] grants")
    }

    /// Runs a request and answers `status, body, dry_run` (and the headers a script may see, when
    /// asked), or raises the API error as a table; the run's cap on API calls ends the run.
    func answer(headers: Bool = false, _ send: () async throws -> ScalevResponse) async throws -> [LuaValue] {
        do {
            let response = try await send()
            let values: [LuaValue] = [.integer(Int64(response.status)), .string(LuaString(bytes: response.body)), .boolean(response.dryRun)]
            return headers ? values + [.table(Self.visibleHeaders(response.headers))] : values
        } catch let error as ScalevError {
            throw ScalevLuaError(error)
        } catch let error as CallLimitExceeded {
            // a limit, not an API error: it ends the run, whatever pcall is around the call
            throw LuaError(.limit(.apiCalls(error.limit)), error.description)
        }
    }

    /// Headers that carry a credential or a session, which scripts never see.
    static let hiddenHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie",
        "x-scalev-guest-token", "x-scalev-storefront-api-key", "x-scalev-page-api-key",
    ]

    /// A response's headers as a Lua table, names in lower case (repeated ones joined with ", "),
    /// without ``hiddenHeaders``.
    static func visibleHeaders(_ headers: [(String, String)]) -> LuaTable {
        var fields: [String: String] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            guard !hiddenHeaders.contains(name) else { continue }
            fields[name] = fields[name].map { $0 + ", " + value } ?? value
        }
        return LuaTable(fields: fields.mapValues { .string(LuaString($0)) })
    }

    static func string(_ arguments: [LuaValue], _ index: Int, _ what: String) throws -> String {
        guard index < arguments.count, let text = arguments[index].stringValue else {
            throw LuaError(.usage, "scalev: \(what) must be a string")
        }
        return text
    }

    /// The operation a named function calls: the v3 catalog's, or the notes' for the routes
    /// outside it.
    static func operation(_ operationID: String) throws -> CatalogOperation {
        guard let operation = try OperationCatalog.bundled().operation(operationID) ?? OperationCatalog.notes.operation(operationID) else {
            throw LuaError(.runtime, "scalev: the operation '\(operationID)' is in neither the v3 catalog nor the notes")
        }
        return operation
    }

    /// The request of the named function `function` (`scalev.orders.list`): the path's `ids` (a
    /// list of strings), and the `query` or the `body` as JSON text; a ``ParameterProblem`` is a
    /// usage error that names the function (a `filter` of a query, a `field` of a body).
    static func request(_ function: String, _ operation: CatalogOperation, ids: LuaValue, query: LuaValue, body: LuaValue) throws -> ScalevRequest {
        var values: [String] = []
        if case .table(let list) = ids { values = list.array.compactMap(\.stringValue) }
        let fields = try members(body, function)
        let filters = try members(query, function) ?? [:]
        do {
            return try operation.request(path: values, query: filters, body: fields)
        } catch {
            throw LuaError(.usage, error.message(function, noun: fields == nil ? "filter" : "field"))
        }
    }

    /// The members of a table the Lua side encoded (an empty table may come as `[]`); `nil` for none.
    static func members(_ value: LuaValue, _ function: String) throws -> [String: JSON]? {
        switch try body(value) {
        case nil: return nil
        case .object(let members)?: return members
        case .array(let items)? where items.isEmpty: return [:]
        default: throw LuaError(.usage, "\(function): give a table of named values")
        }
    }

    /// A JSON body from the text the Lua side encoded.
    static func body(_ value: LuaValue) throws -> JSON? {
        guard case .string(let text) = value else { return nil }
        return try JSON(parsing: text.bytes)
    }
}
