import CLua
import Foundation

/// One Lua state: a `lua_State` with its profile, limits, host functions and modules.
///
/// A state is used by one task at a time: it is not `Sendable`, so Swift's strict concurrency
/// keeps it in one isolation domain, and re-entering it from another thread while it runs traps.
/// ``run(_:arguments:)`` executes on a ``LuaExecutor`` thread, so CPU-bound scripts never occupy
/// the cooperative pool, and suspends at async host calls.
public final class LuaState {
    let L: OpaquePointer
    let control: UnsafeMutablePointer<clua_control>
    /// The profile the state was opened with.
    public let profile: LuaProfile
    /// The limits that apply to every call and run.
    public let limits: LuaLimits
    /// When set, the deadline of every later run and call counts from this instant rather than
    /// from the call: a chunk and the handler called after it share one deadline.
    public var deadlineStart: ContinuousClock.Instant?
    let modules: LuaModulePaths
    let chunkCache: ChunkCache?
    var hostFunctions: [HostFunctionBox] = []
    var pendingCall: PendingAsyncCall?
    /// The limit an async host function ended the run with (``LuaLimit/apiCalls(_:)``): the
    /// stop flag says only that the host stopped it.
    var hostLimit: LuaLimit?
    let executor: LuaExecutor
    let watchdog: Watchdog
    /// The state's identity for its references, and the slots they released.
    let anchor = StateAnchor()
    /// The Swift values of the state's userdata.
    let userdataValues = UserdataStore()
    /// Whether ``close()`` has run: the `lua_State` is gone.
    public private(set) var isClosed = false

    /// Opens a state.
    ///
    /// - Parameters:
    ///   - profile: which standard library to open; `.sandboxed` unless the code is trusted.
    ///   - limits: memory, deadline, instruction and depth limits for every run.
    ///   - modules: where `require` finds modules.
    ///   - chunkCache: a cache of compiled chunks shared between states, or `nil`.
    ///   - executor: the threads Lua runs on.
    public init(
        profile: LuaProfile = .sandboxed,
        limits: LuaLimits = LuaLimits(),
        modules: LuaModulePaths = LuaModulePaths(),
        chunkCache: ChunkCache? = nil,
        executor: LuaExecutor = .shared,
        watchdog: Watchdog = .shared
    ) throws {
        let control = UnsafeMutablePointer<clua_control>.allocate(capacity: 1)
        control.initialize(to: clua_control())
        control.pointee.instr_left = -1
        control.pointee.swift_entry = hostTrampoline
        guard let L = clua_newstate(control) else {
            control.deallocate()
            throw LuaError(.limit(.memory(bytes: 0)), "cannot create a Lua state: out of memory")
        }
        self.L = L
        self.control = control
        self.profile = profile
        self.limits = limits
        self.modules = modules
        self.chunkCache = chunkCache
        self.executor = executor
        self.watchdog = watchdog
        control.pointee.host = Unmanaged.passUnretained(anchor).toOpaque()
        control.pointee.max_depth = Int32(clamping: limits.callDepth ?? 0)
        if let instructions = limits.instructions { control.pointee.instr_left = instructions }

        let status: Int32
        if profile == .trusted {
            // Lua's own require over package.path, the module folders first
            lua_pushnil(L)
            status = modules.searchPath.withCString { clua_open_profile(L, 1, $0) }
        } else {
            let searcher = makeHostFunction(name: "require") { [unowned self] call in
                try self.searchModule(call)
            }
            clua_push_swift_function(L, Unmanaged.passUnretained(searcher).toOpaque())
            status = clua_open_profile(L, 0, nil)
        }
        if status != LUA_OK {
            throw LuaError(.runtime, "cannot open the standard library: \(popErrorMessage())")
        }
        installJSON()
        clua_arm_budget_hooks(L)
        // The limit applies from here on: the standard library is not charged to the script.
        control.pointee.mem_limit = limits.memory.map { max($0, Int(control.pointee.mem_used)) } ?? 0
    }

    deinit {
        close()
        control.deallocate()
    }

    /// Closes the `lua_State` now, freeing its heap, its host functions and its userdata's Swift
    /// values. Idempotent; the state also closes when it is deinitialized.
    ///
    /// Afterwards compiling, calling and running throw a usage error, as does calling a
    /// ``LuaFunction`` of the state from anywhere; ``setGlobal(_:_:)`` and the `register`
    /// functions do nothing, and ``global(_:)`` gives `nil`.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        anchor.close()
        clua_close(L, control)
        hostFunctions = []
        userdataValues.removeAll()
    }

    /// Throws when the state is closed; otherwise frees the registry slots released since the
    /// last entry. Every call into Lua from the host starts here.
    func enter() throws {
        guard !isClosed else { throw LuaError(.usage, "the Lua state is closed") }
        anchor.drain(L)
    }

    /// Bytes the Lua heap holds now.
    public var memoryUsed: Int { Int(control.pointee.mem_used) }
    /// The most bytes the Lua heap has held.
    public var memoryPeak: Int { Int(control.pointee.mem_peak) }

    // MARK: - Soft allocation

    /// Runs body with the allocator soft: Lua allocations cannot fail (and so cannot longjmp)
    /// while Swift code manipulates the stack. An overrun is raised by C afterwards.
    @inline(__always)
    func withSoftAllocator<T>(_ body: () throws -> T) rethrows -> T {
        control.pointee.soft += 1
        defer { control.pointee.soft -= 1 }
        return try body()
    }

    func popErrorMessage() -> String {
        withSoftAllocator {
            let message = LuaStack(L: L).describeError(at: -1)
            clua_pop(L, 1)
            return message
        }
    }

    // MARK: - Globals and host functions

    /// Sets a global variable (or a field of nested tables, for a dotted name like `app.config`).
    public func setGlobal(_ name: String, _ value: LuaValue) {
        guard !isClosed else { return }
        withSoftAllocator {
            pushTableForPath(name) { LuaStack(L: L).push(value) }
        }
    }

    /// Reads a global variable (or a dotted path of fields), without metamethods.
    public func global(_ name: String) -> LuaValue {
        guard !isClosed else { return .nil }
        return withSoftAllocator {
            let top = lua_gettop(L)
            defer { lua_settop(L, top) }
            lua_rawgeti(L, clua_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
            for part in name.split(separator: ".") {
                guard lua_type(L, -1) == LUA_TTABLE else { return .nil }
                LuaStack(L: L).pushString(String(part))
                lua_rawget(L, -2)
            }
            return (try? LuaStack(L: L).value(at: -1)) ?? .nil
        }
    }

    /// Makes `fields` of the global table at a dotted path (creating the tables on the way) and
    /// calls `pushValue` to push the value of the last component.
    func pushTableForPath(_ path: String, pushValue: () -> Void) {
        let parts = path.split(separator: ".").map(String.init)
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        lua_rawgeti(L, clua_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        for part in parts.dropLast() {
            LuaStack(L: L).pushString(part)
            lua_rawget(L, -2)
            if lua_type(L, -1) != LUA_TTABLE {
                clua_pop(L, 1)
                clua_newtable(L)
                LuaStack(L: L).pushString(part)
                lua_pushvalue(L, -2)
                lua_rawset(L, -4)
            }
        }
        LuaStack(L: L).pushString(parts.last ?? path)
        pushValue()
        lua_rawset(L, -3)
    }

    /// Registers a synchronous host function under a global (dotted) name.
    ///
    /// The body reads its arguments from the ``LuaCall`` and returns the values to give Lua; an
    /// error it throws becomes a Lua error (a table with fields for ``LuaErrorConvertible``).
    public func register(_ name: String, _ body: @escaping (LuaCall) throws -> [LuaValue]) {
        registerRaw(name) { call in
            let results = try body(call)
            for result in results { call.push(result) }
            return Int32(results.count)
        }
    }

    /// Registers a host function that pushes its own results and returns their count: the fast
    /// path, with no intermediate values.
    public func registerRaw(_ name: String, _ body: @escaping (LuaCall) throws -> Int32) {
        guard !isClosed else { return }
        let box = makeHostFunction(name: name.split(separator: ".").last.map(String.init) ?? name, body: body)
        withSoftAllocator {
            pushTableForPath(name) {
                clua_push_swift_function(L, Unmanaged.passUnretained(box).toOpaque())
            }
        }
    }

    /// Registers an async host function: the script suspends at the call and resumes with its
    /// results, while the state's thread runs other work. The arguments are read on the Lua
    /// thread; `body` runs as ordinary Swift async code.
    ///
    /// Only ``run(_:arguments:)`` can suspend; a synchronous ``call(_:_:)`` reaching an async
    /// function fails with a clear error, and so does a call from where Lua cannot yield (a
    /// `table.sort` comparator, a `string.gsub` callback, a `__tostring` metamethod).
    ///
    /// A ``LuaError`` of kind ``LuaError/Kind/limit(_:)`` thrown by `body` ends the run with that
    /// limit, as the deadline does: `pcall` does not catch it.
    public func registerAsync(_ name: String, _ body: @escaping @Sendable ([LuaValue]) async throws -> [LuaValue]) {
        let shortName = name.split(separator: ".").last.map(String.init) ?? name
        registerRaw(name) { [unowned self] call in
            let arguments = try call.arguments()
            return try self.suspend(call, name: shortName) { try await body(arguments) }
        }
    }

    func makeHostFunction(name: String, body: @escaping (LuaCall) throws -> Int32) -> HostFunctionBox {
        let box = HostFunctionBox(name: name, state: self, body: body)
        hostFunctions.append(box)
        return box
    }

    /// Parks the script: pushes the host-yield marker and records the operation for the driver.
    func suspend(_ call: LuaCall, name: String, operation: @escaping @Sendable () async throws -> [LuaValue]) throws -> Int32 {
        guard clua_can_suspend(call.L) != 0 else {
            let reason = control.pointee.run_thread == nil
                ? "the host called it synchronously (use LuaState.run)"
                : "Lua cannot suspend here (inside a table.sort comparator, a string.gsub callback, a __tostring or other metamethod called from C, or a coroutine resumed from one); move the call out"
            throw LuaError(.usage, "cannot call async function '\(name)': \(reason)")
        }
        pendingCall = PendingAsyncCall(function: call.host, operation: operation)
        lua_pushlightuserdata(call.L, clua_host_yield_marker())
        return CLUA_YIELD_BASE - 1
    }
}

/// An async host call the script is parked on.
struct PendingAsyncCall {
    unowned(unsafe) let function: HostFunctionBox // kept alive by the state's hostFunctions
    let operation: @Sendable () async throws -> [LuaValue]
}
