import Foundation

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

    /// A request.
    public init(credential: String, count: Int, windows: [RateWindow], notBefore: Date? = nil, horizon: Duration = .seconds(3600)) {
        self.credential = credential
        self.count = count
        self.windows = windows
        self.notBefore = notBefore
        self.horizon = horizon
    }
}
