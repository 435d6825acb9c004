/// What a key-value write is conditioned on: a held `kv` lock, or a job's lease.
///
/// Every fence of a write is checked in the write's own transaction, so a write lands only
/// while all of its fences hold; otherwise it throws and changes nothing.
public enum KVFence: Sendable, Equatable, Hashable {
    /// Holds while this acquisition of the lock is its live holder (its token is the lock's and
    /// the lock has not lapsed); a write fenced by a lost lock throws
    /// ``StoreError/staleFence(lock:token:)``.
    case lock(KVLock)
    /// Holds while the job is `running` under this lease token and its lease has not lapsed, by
    /// the store's clock: the run of a ``ClaimedJob`` fences its writes with it, so that a run
    /// whose lease was lost (another runner took the job) cannot write. A write fenced by a lost
    /// lease throws ``StoreError/lostJobLease(job:leaseToken:)``.
    case job(id: Int64, leaseToken: Int64)

    /// The fences of a write fenced by `lock`, if any.
    static func list(_ lock: KVLock?) -> [KVFence] {
        lock.map { [.lock($0)] } ?? []
    }
}

extension ClaimedJob {
    /// The fence of this claim's lease: writes fenced by it land only while this claim holds the job.
    public var fence: KVFence { .job(id: id, leaseToken: leaseToken) }
}
