import Synchronization
import Testing

/// What one test started and has not stopped yet: sandboxes, stores, and whatever else a test's
/// support code hands over with ``adopt(_:)``.
///
/// A test with the ``Testing/Trait/testScope`` trait runs inside a scope of its own. When the test
/// returns or throws, the scope stops everything still running, the last started first, so
/// nothing outlives the test; what stopping threw fails the test.
///
/// ```swift
/// @Suite(.testScope) struct OrderTests {
///     @Test func listsOrders() async throws {
///         let sandbox = try await SandboxHarness.start()
///         // ... no stop needed: the scope stops the sandbox even when the test throws.
///     }
/// }
/// ```
public final class TestScope: Sendable {
    /// The scope of the running test, if it has one.
    @TaskLocal public static var current: TestScope?

    private let stops = Mutex<[@Sendable () async throws -> Void]>([])

    private init() {}

    /// Hands `stop` to the scope of the running test, to be called when the test ends; does
    /// nothing outside a scope. `stop` must do nothing when its owner was stopped already.
    public static func adopt(_ stop: @escaping @Sendable () async throws -> Void) {
        current?.stops.withLock { $0.append(stop) }
    }

    /// Runs `body` in a fresh scope, then stops what it left running. Throws the body's error,
    /// else the first error of stopping.
    public static func run<Result>(_ body: () async throws -> Result) async throws -> Result {
        let scope = TestScope()
        return try await afterwards {
            try await $current.withValue(scope) { try await body() }
        } teardown: {
            try await scope.stopAll()
        }
    }

    /// Calls every adopted stop, the last adopted first; throws the first error after all ran.
    private func stopAll() async throws {
        let pending = stops.withLock { stops in
            defer { stops.removeAll() }
            return stops
        }
        var failure: (any Error)?
        for stop in pending.reversed() {
            do { try await stop() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}

/// The trait that runs each test, and each case of a parameterized test, in a ``TestScope`` of
/// its own. Give it to a suite to cover every test in it.
public struct TestScopeTrait: TestTrait, SuiteTrait, TestScoping {
    /// Whether the trait reaches the tests of nested suites: it does.
    public var isRecursive: Bool { true }

    /// A scope for each test case, none around a whole suite.
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> TestScopeTrait? {
        testCase == nil ? nil : self
    }

    /// Runs the test case in a fresh ``TestScope``.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await TestScope.run { try await function() }
    }
}

extension Trait where Self == TestScopeTrait {
    /// Stops, when each test ends, every sandbox and store it started and left running.
    public static var testScope: Self { TestScopeTrait() }
}

/// Returns what `body` returned after running `teardown`, also when `body` threw. The body's
/// error wins; a teardown error after a failed body is recorded as an issue so it is still seen.
func afterwards<Result>(_ body: () async throws -> Result, teardown: () async throws -> Void) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        do { try await teardown() } catch let teardownError { Issue.record(teardownError, "while stopping after a failed test") }
        throw error
    }
    try await teardown()
    return result
}
