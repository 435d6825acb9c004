import Foundation
import LuaKit
import LunasStore

/// The Lua `kv` module: a script's durable key-value namespace, backed by an ``OnDemandStore``.
///
/// The script sees only its own namespace, plus the shared namespaces it was granted, through
/// `kv.shared(name)`. Values are any JSON-able Lua value; they cross as JSON text, so arrays,
/// objects, integers and `json.null` come back as they went in.
public struct KVModule: ScriptModule {
    /// The global it is installed as.
    public var name: String { "kv" }
    /// Its fields, read off the module once (``fieldPaths()``).
    public var fields: Set<String> { Self.knownFields }
    static let knownFields: Set<String> = (try? fieldPaths()) ?? []

    /// The store, opened on the first `kv` call.
    public let store: OnDemandStore
    /// The script's own namespace.
    public let namespace: String
    /// Namespaces the script may open with `kv.shared(name)`.
    public let sharedNamespaces: [String]
    /// Who holds the locks this script takes (host, process, namespace).
    public let owner: String
    /// In a dry run, where each write goes instead of the store (one line each); `nil` writes.
    public let dryRun: (@Sendable (String) -> Void)?
    /// What every write of the script is conditioned on besides its own lock fences (see
    /// ``ScriptOptions/kvFence``); `nil`: only those.
    public var fence: KVFence?
    /// A rules file's top-level gate: closed, every `kv` call fails.
    var gate: TopLevelGate?

    /// A module for the script with this namespace; with `dryRun`, writes are kept in memory for
    /// the run (its reads see them) and reported there, and the store is only read.
    /// Every write is fenced by `fence` too, when given.
    public init(store: OnDemandStore, namespace: String, sharedNamespaces: [String] = [], dryRun: (@Sendable (String) -> Void)? = nil,
                fence: KVFence? = nil) {
        self.store = store
        self.namespace = namespace
        self.sharedNamespaces = sharedNamespaces
        self.dryRun = dryRun
        self.fence = fence
        self.owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(namespace)"
    }

    /// Installs the global `kv` in a state; the Lua wrapper is compiled once per state's chunk cache.
    public func install(in state: LuaState) throws {
        let calls = KVHostFunctions(module: self)
        let gate = self.gate
        state.register("__kv.shared") { call in
            try gate?.check("kv")
            let name = try call.string(1)
            guard let index = sharedNamespaces.firstIndex(of: name) else {
                return [.string(LuaString("namespace '\(name)' is not shared with this script; add it to the script's shared namespaces in the configuration"))]
            }
            return [.nil, .integer(Int64(index + 1))]
        }
        let store = self.store
        let overlay = dryRun.map { report in
            KVOverlay(maxValueBytes: store.options.maxValueBytes, quota: store.options.kvQuota, clock: store.options.clock, base: { try await store.store() }) { [namespace] write in
                report(Self.dryRunLine(write, ownNamespace: namespace))
            }
        }
        for (name, prepare) in calls.functions {
            // Answered at once on the Lua thread when the store can do it without waiting (SQLite
            // with its write lock free: no suspension, no thread hop), else as an async call.
            state.registerRaw("__kv.\(name)") { call in
                try gate?.check("kv")
                let arguments = KVArguments(try call.arguments())
                let operation: KVOperation
                do {
                    operation = try prepare(arguments)
                    // only where the call could also suspend, so that kv behaves the same
                    // whichever path answers (it fails in a table.sort comparator either way)
                    if overlay == nil, call.canSuspend, let now = operation.now,
                       let open = store.openStore as? any ImmediateKeyValueStore,
                       case .done(let results) = try now(open) {
                        call.pushNil()
                        for result in results { call.push(result) }
                        return Int32(results.count + 1)
                    }
                } catch {
                    call.push(.string(LuaString(String(describing: error))))
                    return 1
                }
                return try call.suspend {
                    do {
                        let target: any KeyValueStore = if let overlay { overlay } else { try await store.store() }
                        return try await [.nil] + operation.later(target)
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        return [.string(LuaString(String(describing: error)))]
                    }
                }
            }
        }
        try HostChunk.kv.run(in: state)
    }

    /// The fields of the `kv` global as dotted paths (`get`, `shared`), read off the module
    /// installed in a state of its own over a store it never opens: what `lunas check` knows of it.
    public static func fieldPaths() throws -> Set<String> {
        let state = try LuaState()
        try KVModule(store: OnDemandStore(location: .sqlite(path: "lunas-check.db")), namespace: "check").install(in: state)
        return try ScriptGlobals.fieldPaths(of: "kv", in: state)
    }

    /// `dry run: kv.set KEY = VALUE (not written)`, with `kv.shared("NS")` for a shared namespace
    /// and long values cut.
    static func dryRunLine(_ write: KVOverlay.Write, ownNamespace: String) -> String {
        let module = write.namespace == ownNamespace ? "kv" : "kv.shared(\"\(write.namespace)\")"
        let call = "dry run: \(module).\(write.operation) \(write.key)"
        guard let value = write.value else {
            return call + (write.operation == "lock" ? " (taken for this run only)" : " (not written)")
        }
        let shown = value.count > 200 ? value.prefix(200) + "…" : Substring(value)
        return "\(call) = \(shown) (not written)"
    }

    /// The namespace of handle `h`: 0 is the script's own, `i` the i-th shared one.
    func namespace(of handle: Int64?) throws -> String {
        guard let handle, handle >= 0, handle <= Int64(sharedNamespaces.count) else {
            throw KVUsageError("unknown namespace handle")
        }
        return handle == 0 ? namespace : sharedNamespaces[Int(handle) - 1]
    }
}

/// A misuse of `kv` from Lua, reported at the script's line.
struct KVUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
