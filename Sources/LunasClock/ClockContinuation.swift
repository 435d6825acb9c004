/// The continuation of a ``WallClock/waitForEvent(isolation:body:)``: resume it exactly once.
public struct ClockContinuation<T: Sendable>: Sendable {
    private let continuation: CheckedContinuation<T, any Error>
    private let resuming: (@Sendable () -> Void)?

    init(_ continuation: CheckedContinuation<T, any Error>, resuming: (@Sendable () -> Void)? = nil) {
        self.continuation = continuation
        self.resuming = resuming
    }

    /// Ends the wait with `value`.
    public func resume(returning value: T) {
        resuming?()
        continuation.resume(returning: value)
    }

    /// Ends the wait with `error`.
    public func resume(throwing error: any Error) {
        resuming?()
        continuation.resume(throwing: error)
    }
}
