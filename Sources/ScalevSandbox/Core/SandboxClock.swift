import Foundation
import Synchronization

/// The sandbox's notion of now: wall-clock time plus an offset that tests move forward through the
/// admin API (`POST /_sandbox/clock/advance`) to expire tokens, abandon checkouts or pass a renewal.
///
/// Rate-limit windows use the same clock, so advancing it also frees rate-limit slots.
public final class SandboxClock: Sendable {
    private let offset: Mutex<Double>
    /// When set, the wall-clock part stays at this epoch: time moves only when advanced, so a
    /// test's margins cannot be blurred by a slow machine.
    private let frozenWall: Double?

    /// A clock `offset` seconds ahead of wall-clock time; `frozen` stops the wall-clock part.
    public init(offset: Double = 0, frozen: Bool = false) {
        self.offset = Mutex(offset)
        frozenWall = frozen ? Date().timeIntervalSince1970 : nil
    }

    /// Seconds since the Unix epoch, simulated.
    public var now: Double { (frozenWall ?? Date().timeIntervalSince1970) + offset.withLock { $0 } }

    /// The current offset from wall-clock time in seconds.
    public var currentOffset: Double { offset.withLock { $0 } }

    /// Moves the clock forward by `seconds` (never backward).
    public func advance(by seconds: Double) {
        offset.withLock { $0 += max(0, seconds) }
    }

    /// Sets the clock so that `now` is `epoch`, if that is not in the past.
    public func set(to epoch: Double) {
        let wall = frozenWall ?? Date().timeIntervalSince1970
        offset.withLock { $0 = max($0, epoch - wall) }
    }
}
