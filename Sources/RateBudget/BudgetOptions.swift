/// How ``RateBudgets`` turns windows into slots. The defaults suit Scalev over a network; every
/// process sharing a ledger should use the same options.
public struct BudgetOptions: Sendable, Equatable {
    /// Added to every window's length when slots are placed, so that the lateness of a send, the
    /// jitter of the network and the clocks' disagreement cannot make the server see more than
    /// the limit in a window. A send answered later than its slot plus the margin is recorded in
    /// the ledger at its answer (it may have reached the server that late). Smaller margins
    /// record more sends, each moving its slot to its answer: what is saved in margin is spent
    /// in round trips.
    public var margin: Duration
    /// How late a slot may still be used; a slot found later is given back.
    public var grace: Duration
    /// While the credential is contended (other scripts of the process or other processes use
    /// it), the shortest window is also enforced in this many parts (20/2s -> 2 per 200 ms): slots
    /// come steadily, so that every script gets its weighted turns. Alone, a script bursts. 1
    /// turns it off.
    public var burstDivisions: Int
    /// The most slots one ledger write reserves.
    public var maxBlock: Int
    /// The most reserved, unused slots a process holds for one credential.
    public var maxPool: Int
    /// While the credential is saturated, slots are reserved this far ahead of demand.
    public var lookahead: Duration
    /// A wait longer than this calls the caller's `onLongWait`.
    public var longWait: Duration
    /// How long after it was sent an unanswered request is taken to have been counted by the
    /// server: the sends that must follow it in a window wait for its answer up to this long.
    public var unansweredBound: Duration

    /// Options.
    public init(margin: Duration = .milliseconds(20), grace: Duration = .milliseconds(10), burstDivisions: Int = 10,
                maxBlock: Int = 64, maxPool: Int = 128, lookahead: Duration = .seconds(1), longWait: Duration = .seconds(1),
                unansweredBound: Duration = .seconds(1)) {
        self.margin = margin
        self.grace = grace
        self.burstDivisions = burstDivisions
        self.maxBlock = maxBlock
        self.maxPool = maxPool
        self.lookahead = lookahead
        self.longWait = longWait
        self.unansweredBound = unansweredBound
    }
}
