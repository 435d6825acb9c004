import Foundation
import LuaKit
import LunasStore

/// The Lua `kv` module: a script's durable key-value namespace, backed by a ``LazyStore``.
///
/// The script sees only its own namespace, plus the shared namespaces it was granted, through
/// `kv.shared(name)`. Values are any JSON-able Lua value; they cross as JSON text, so arrays,
/// objects, integers and `json.null` come back as they went in.
public struct KVModule: Sendable {
    /// The store, opened on the first `kv` call.
    public let store: LazyStore
    /// The script's own namespace.
    public let namespace: String
    /// Namespaces the script may open with `kv.shared(name)`.
    public let sharedNamespaces: [String]
    /// Who holds the locks this script takes (host, process, namespace).
    public let owner: String

    /// A module for the script with this namespace.
    public init(store: LazyStore, namespace: String, sharedNamespaces: [String] = []) {
        self.store = store
        self.namespace = namespace
        self.sharedNamespaces = sharedNamespaces
        self.owner = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(namespace)"
    }

    /// Installs the global `kv` in a state; the Lua wrapper is compiled once per cache.
    public func install(in state: LuaState, cache: ChunkCache? = nil) throws {
        let calls = KVCalls(module: self)
        state.register("__kv.shared") { call in
            let name = try call.string(1)
            guard let index = sharedNamespaces.firstIndex(of: name) else {
                return [.string(LuaString("namespace '\(name)' is not shared with this script; add it to the script's shared namespaces in the configuration"))]
            }
            return [.nil, .integer(Int64(index + 1))]
        }
        let store = self.store
        for (name, prepare) in calls.functions {
            // Answered at once on the Lua thread when the store can do it without waiting (SQLite
            // with its write lock free: no suspension, no thread hop), else as an async call.
            state.registerRaw("__kv.\(name)") { call in
                let arguments = KVArguments(try (0..<call.count).map { try call.value($0 + 1) })
                let operation: KVOperation
                do {
                    operation = try prepare(arguments)
                    // only where the call could also suspend, so that kv behaves the same
                    // whichever path answers (it fails in a table.sort comparator either way)
                    if call.canSuspend, let now = operation.now,
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
                        return try await [.nil] + operation.later(store.store())
                    } catch let error as CancellationError {
                        throw error
                    } catch {
                        return [.string(LuaString(String(describing: error)))]
                    }
                }
            }
        }
        _ = try state.call(state.compile(Self.luaSource, name: "=lunas.kv"))
    }

    /// The namespace of handle `h`: 0 is the script's own, `i` the i-th shared one.
    func namespace(of handle: Int64?) throws -> String {
        guard let handle, handle == 0 || (1...Int64(sharedNamespaces.count)).contains(handle) else {
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
