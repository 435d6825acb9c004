import RateBudget
import Synchronization

/// A store opened on first use, so a run that never touches `kv` or the rate budgets never
/// creates a database file or a connection. Shared by every run of a process; opening happens
/// once. It is also the store's ``RateLedger``: the first reservation opens it.
public final class OnDemandStore: Sendable {
    private enum State {
        case idle
        case opening(Task<any Store, any Error>)
        case open(any Store)
        case closed
    }

    /// Where the store is.
    public let location: StoreLocation
    /// How it is opened.
    public let options: StoreOptions
    private let state = Mutex(State.idle)

    /// A store at `location`, not opened yet.
    public init(location: StoreLocation, options: StoreOptions = StoreOptions()) {
        self.location = location
        self.options = options
    }

    /// A store that is already open.
    public init(_ store: any Store) {
        self.location = store.location
        self.options = StoreOptions()
        state.withLock { $0 = .open(store) }
    }

    /// Whether the store has been opened.
    public var isOpen: Bool {
        state.withLock { if case .open = $0 { true } else { false } }
    }

    /// The store, opening it (and applying migrations) on the first call. A failed open is
    /// retried by the next call.
    public func store() async throws -> any Store {
        if let store = openStore { return store }
        let task: Task<any Store, any Error> = try state.withLock { state in
            switch state {
            case .open(let store): return Task { store }
            case .opening(let task): return task
            case .closed: throw StoreError.invalidArgument("the store \(location) was closed")
            case .idle:
                let location = location, options = options
                let task = Task { try await location.open(options: options) }
                state = .opening(task)
                return task
            }
        }
        do {
            let store = try await task.value
            state.withLock { if case .opening = $0 { $0 = .open(store) } }
            return store
        } catch {
            state.withLock { if case .opening = $0 { $0 = .idle } }
            throw error
        }
    }

    /// The open store without waiting, or `nil` when it is not open yet.
    public var openStore: (any Store)? {
        state.withLock { if case .open(let store) = $0 { store } else { nil } }
    }

    /// Closes the store if it was opened.
    public func close() async {
        let previous = state.withLock { state in
            defer { state = .closed }
            return state
        }
        switch previous {
        case .open(let store): await store.close()
        case .opening(let task): if let store = try? await task.value { await store.close() }
        case .idle, .closed: break
        }
    }
}

extension OnDemandStore: RateLedger {
    /// Reserves slots in the store's ledger, opening the store first if needed.
    public func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        try await store().reserve(request)
    }
}
