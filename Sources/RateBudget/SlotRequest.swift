import Foundation
import ScalevModel

/// A request for request slots of one credential.
public struct SlotRequest: Sendable, Equatable {
    /// The credential whose budget the slots come from.
    public var credential: String
    /// How many slots are wanted.
    public var count: Int
    /// Every window that must hold after the reservation.
    public var windows: [RateWindow]
    /// The earliest time a slot may have (default: now).
    public var notBefore: Date?
    /// Slots later than now + horizon are not granted.
    public var horizon: Duration
    /// Slots reserved earlier and never used, given back before the new ones are placed (one
    /// slot per time). Removing a slot never makes any window fuller, so this is always safe.
    public var releasing: [Date]
    /// Sends that reached the server later than their slot, recorded where the sender knows
    /// they were counted by (their answer, in the past), after `releasing` gave back their
    /// slots: later placements then count them where they really were. (A time in the past can
    /// only make later placements stricter; no slot is ever placed in the past.)
    public var recording: [Date]
    /// How far back the grant reports the credential's slots (``SlotGrant/recent``); zero: none.
    public var report: Duration

    /// A request.
    public init(credential: String, count: Int, windows: [RateWindow], notBefore: Date? = nil, horizon: Duration = .seconds(3600), releasing: [Date] = [], recording: [Date] = [], report: Duration = .zero) {
        self.credential = credential
        self.count = count
        self.windows = windows
        self.notBefore = notBefore
        self.horizon = horizon
        self.releasing = releasing
        self.recording = recording
        self.report = report
    }
}
