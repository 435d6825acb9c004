/// Hears when a run begins a long wait for a credential's rate budget (``BudgetPacer/noticeEvery``
/// or more) and when that wait ends: a runner lets another run take the waiting run's slot
/// meanwhile, since the waiting run holds no thread and sends nothing.
public struct BudgetWaitObserver: Sendable {
    /// The run began a long wait.
    public var began: @Sendable () -> Void
    /// The wait ended (the request was granted, or the run ended).
    public var ended: @Sendable () -> Void

    /// An observer.
    public init(began: @escaping @Sendable () -> Void, ended: @escaping @Sendable () -> Void) {
        self.began = began
        self.ended = ended
    }

    /// The observer of the run the current task belongs to.
    @TaskLocal static var current: BudgetWaitObserver?
}
