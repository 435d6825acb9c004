import Foundation
import LuaKit
import Testing

/// Runs source in a fresh state and returns its results.
func run(_ source: String, profile: LuaProfile = .sandboxed, limits: LuaLimits = LuaLimits(),
         setup: (LuaState) throws -> Void = { _ in }) async throws -> [LuaValue] {
    let state = try LuaState(profile: profile, limits: limits)
    try setup(state)
    return try await state.run(source, name: "=test")
}

/// The error a run ends with; fails the test when it succeeds.
func runError(_ source: String, profile: LuaProfile = .sandboxed, limits: LuaLimits = LuaLimits(),
              setup: (LuaState) throws -> Void = { _ in }) async throws -> LuaError {
    do {
        let values = try await run(source, profile: profile, limits: limits, setup: setup)
        Issue.record("expected an error, got \(values)")
        return LuaError(.usage, "no error")
    } catch let error as LuaError {
        return error
    }
}

/// The text of a Lua test script shipped in Tests/LuaKitTests/Lua.
func luaResource(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: "Lua/\(name)", withExtension: nil) else {
        throw LuaError(.usage, "missing test resource \(name)")
    }
    return try String(contentsOf: url, encoding: .utf8)
}

/// Opens when `expected` parties have arrived: proves that many runs were parked at once.
actor Gate {
    private let expected: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(expected: Int) { self.expected = expected }

    func arrive() async {
        arrived += 1
        if arrived >= expected {
            for continuation in waiting { continuation.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
