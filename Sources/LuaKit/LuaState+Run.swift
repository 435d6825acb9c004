import CLua

extension LuaState {
    /// Runs a chunk to completion in a fresh coroutine on the state's ``LuaExecutor``, suspending
    /// at async host calls, and returns what the chunk returned.
    ///
    /// The state's limits apply: the deadline counts from this call. Cancelling the calling task
    /// stops the run like a limit (``LuaLimit/cancelled``).
    public func run(_ chunk: LuaChunk, arguments: [LuaValue] = []) async throws -> [LuaValue] {
        try await run(arguments: arguments) { try self.pushChunk(chunk) }
    }

    /// Runs the function `pushCallee` pushes on the main stack, as ``run(_:arguments:)`` does.
    func run(arguments: [LuaValue], pushCallee: @escaping () throws -> Void) async throws -> [LuaValue] {
        try await withTaskExecutorPreference(executor) {
            try await self.drive(arguments: arguments, pushCallee: pushCallee)
        }
    }

    /// Compiles and runs source text.
    public func run(_ source: String, name: String = "=(chunk)", arguments: [LuaValue] = []) async throws -> [LuaValue] {
        try await run(compile(source, name: name), arguments: arguments)
    }

    /// Calls a chunk synchronously on the calling thread. Async host functions fail when reached.
    public func call(_ chunk: LuaChunk, arguments: [LuaValue] = []) throws -> [LuaValue] {
        try call(arguments: arguments) { try pushChunk(chunk) }
    }

    /// Calls the function `pushCallee` pushes on the main stack, as ``call(_:arguments:)`` does.
    func call(arguments: [LuaValue], pushCallee: () throws -> Void) throws -> [LuaValue] {
        try enter()
        try checkNotStopped()
        let stopper = RunStopper(control: control)
        let ticket = scheduleDeadline(stopper)
        defer {
            ticket?.cancel()
            stopper.detach()
        }
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        try withSoftAllocator {
            try checkOwned(arguments)
            try pushCallee()
            for argument in arguments { LuaStack(L: L).push(argument) }
        }
        clua_enter(L)
        let status = clua_pcall_traceback(L, Int32(arguments.count), LUA_MULTRET)
        return try withSoftAllocator {
            guard status == LUA_OK else {
                lua_rawgetfield_registry(L, "lunas.traceback")
                let traceback = clua_tolstring_raw(L, -1, nil).map { ScriptTraceback.filter(String(cString: $0)) }
                clua_pop(L, 1)
                throw error(status: status, at: -1, traceback: traceback)
            }
            return try copyResults(LuaStack(L: L), from: top + 1, count: lua_gettop(L) - top)
        }
    }

    /// Calls source text synchronously.
    public func call(_ source: String, name: String = "=(chunk)", arguments: [LuaValue] = []) throws -> [LuaValue] {
        try call(compile(source, name: name), arguments: arguments)
    }

    /// Throws when an argument is a reference into another (or a closed) state.
    func checkOwned(_ values: [LuaValue]) throws {
        for case .reference(let reference) in values where !reference.slot.anchor.owns(L) {
            try LuaStack(L: L).push(reference) // throws the error that says which
        }
    }

    /// Arms the watchdog for the deadline, counted from ``deadlineStart`` when set.
    private func scheduleDeadline(_ stopper: RunStopper) -> Watchdog.Ticket? {
        guard let deadline = limits.deadline else { return nil }
        let left = deadlineStart.map { $0 + deadline - ContinuousClock.now } ?? deadline
        return watchdog.schedule(after: max(left, .zero), stopper)
    }

    func checkNotStopped() throws {
        let reason = control.pointee.stop
        if reason != 0 { throw stopError(reason) }
    }

    private func drive(arguments: [LuaValue], pushCallee: () throws -> Void) async throws -> [LuaValue] {
        try enter()
        try checkNotStopped()
        guard control.pointee.run_thread == nil else {
            throw LuaError(.usage, "the state is already running a chunk; a state runs one chunk at a time")
        }
        let stopper = RunStopper(control: control)
        let ticket = scheduleDeadline(stopper)
        let top = lua_gettop(L)
        defer {
            ticket?.cancel()
            stopper.detach()
            control.pointee.run_thread = nil
            lua_settop(L, top)
        }
        let co = try startCoroutine(arguments: arguments, pushCallee: pushCallee)
        var nargs = Int32(arguments.count)
        return try await withTaskCancellationHandler {
            // The loop stays small: its frame lives as long as the run is parked.
            while true {
                switch try resume(co, nargs: nargs) {
                case .finished(let values):
                    return values
                case .suspended(let pending):
                    let result = await stopper.race(on: executor, pending.operation)
                    if case .failure(let failure as LuaError) = result, case .limit(let limit) = failure.kind, stopper.reason == 0 {
                        hostLimit = limit
                        stopper.stop(Int32(CLUA_STOP_HOST_LIMIT))
                    }
                    if stopper.reason != 0 { throw stopError(stopper.reason, on: co) }
                    nargs = deliver(result, of: pending, to: co)
                }
            }
        } onCancel: {
            stopper.stop(Int32(CLUA_STOP_CANCELLED))
        }
    }

    private enum Step {
        case finished([LuaValue])
        case suspended(PendingAsyncCall)
    }

    /// A new coroutine, anchored on the main stack, holding the callee and its arguments.
    private func startCoroutine(arguments: [LuaValue], pushCallee: () throws -> Void) throws -> OpaquePointer {
        let co: OpaquePointer = try withSoftAllocator {
            try checkOwned(arguments)
            guard let co = lua_newthread(L) else { throw LuaError(.usage, "cannot create a coroutine") }
            try pushCallee()
            lua_xmove(L, co, 1)
            for argument in arguments { LuaStack(L: co).push(argument) }
            return co
        }
        control.pointee.run_thread = co
        return co
    }

    /// Resumes the run until it finishes, fails or parks at an async host call.
    private func resume(_ co: OpaquePointer, nargs: Int32) throws -> Step {
        var nresults: Int32 = 0
        clua_enter(co)
        let status = lua_resume(co, L, nargs, &nresults)
        clua_enter(L)
        switch status {
        case LUA_OK:
            return try withSoftAllocator {
                let base = lua_gettop(co) - nresults
                defer { lua_settop(co, base) }
                let values = try copyResults(LuaStack(L: co), from: base + 1, count: nresults)
                return .finished(values)
            }
        case LUA_YIELD:
            lua_settop(co, lua_gettop(co) - nresults)
            guard let pending = pendingCall else { throw LuaError(.usage, "the script yielded outside a coroutine") }
            pendingCall = nil
            return .suspended(pending)
        default:
            throw withSoftAllocator {
                luaL_traceback(L, co, nil, 0)
                let traceback = clua_tolstring_raw(L, -1, nil).map { ScriptTraceback.filter(String(cString: $0)) }
                clua_pop(L, 1)
                return error(status: status, at: -1, on: co, traceback: traceback)
            }
        }
    }

    /// Pushes an async call's results (or its error, flagged for the trampoline to raise) onto
    /// the parked coroutine; returns the number of values pushed.
    private func deliver(_ result: Result<[LuaValue], any Error>, of pending: PendingAsyncCall, to co: OpaquePointer) -> Int32 {
        withSoftAllocator {
            switch result {
            case .success(let values):
                for value in values { LuaStack(L: co).push(value) }
                return Int32(values.count)
            case .failure(let failure):
                LuaCall(L: co, host: pending.function).pushError(failure)
                control.pointee.resume_raise = 1
                return 1
            }
        }
    }

    /// A run's results copied out; a copy cut short by the run's stop is the stop's error.
    private func copyResults(_ stack: LuaStack, from first: Int32, count: Int32) throws -> [LuaValue] {
        do {
            return try stack.values(from: first, count: count)
        } catch {
            try checkNotStopped()
            throw error
        }
    }

    /// The error of a run stopped for `reason`; with the stopped `thread`, located at the
    /// script's line that was running.
    func stopError(_ reason: Int32, on thread: OpaquePointer? = nil) -> LuaError {
        let limit: LuaLimit = switch reason {
        case Int32(CLUA_STOP_DEADLINE): .deadline(limits.deadline ?? .zero)
        case Int32(CLUA_STOP_INSTRUCTIONS): .instructions(limits.instructions ?? 0)
        case Int32(CLUA_STOP_HOST_LIMIT): hostLimit ?? .cancelled
        default: .cancelled
        }
        return limitError(limit, on: thread)
    }

    /// The error of `limit`, its ``LuaError/location`` read off `thread`'s stack.
    private func limitError(_ limit: LuaLimit, on thread: OpaquePointer?) -> LuaError {
        var error = LuaError(.limit(limit), limit.message)
        if let thread {
            let position = LuaStack(L: thread).position(level: 0)
            if position.hasSuffix(": ") { error.location = String(position.dropLast(2)) }
        }
        return error
    }

    /// The error for a failed call whose error value is at `index` of `thread`.
    /// A run's coroutine (`thread`) keeps its frames after the error, so a limit is located on it.
    func error(status: Int32, at index: Int32, on thread: OpaquePointer? = nil, traceback: String?) -> LuaError {
        let reason = control.pointee.stop
        if reason != 0 { return stopError(reason, on: thread) }
        let stack = LuaStack(L: thread ?? L)
        if status == LUA_ERRMEM || (control.pointee.mem_refused != 0 && stack.describeError(at: index) == "not enough memory") {
            return limitError(.memory(bytes: limits.memory ?? 0), on: thread)
        }
        let value = (try? stack.value(at: index)) ?? .nil
        return LuaError(.runtime, stack.describeError(at: index), value: value, traceback: traceback)
    }
}

extension LuaStack {
    /// The message of the error value at `index`: a string as is; a table as `where message`.
    func describeError(at index: Int32) -> String {
        switch lua_type(L, index) {
        case LUA_TSTRING:
            var length = 0
            guard let p = clua_tolstring_raw(L, index, &length) else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
        case LUA_TTABLE:
            // read only the two fields: the rest of the table may be large or cyclic
            let message = rawStringField("message", of: index) ?? "(error table without message)"
            return (rawStringField("where", of: index) ?? "") + message
        case LUA_TNIL:
            return "nil"
        default:
            return "(error object is a \(String(cString: lua_typename(L, lua_type(L, index)))) value)"
        }
    }

    /// `t[name]` of the table at `index` without metamethods, when it is a string.
    private func rawStringField(_ name: String, of index: Int32) -> String? {
        let table = lua_absindex(L, index)
        pushString(name)
        lua_rawget(L, table)
        defer { clua_pop(L, 1) }
        var length = 0
        guard let p = clua_tolstring_raw(L, -1, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }
}
