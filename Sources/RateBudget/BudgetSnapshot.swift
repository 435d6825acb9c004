import Foundation
import ScalevModel

/// A credential's budget as seen from one script in this process (`scalev.budget()` in Lua).
public struct BudgetSnapshot: Sendable, Equatable {
    /// One window's state.
    public struct WindowState: Sendable, Equatable {
        /// The window.
        public var window: RateWindow
        /// Requests this process may still send in the window now (never more than the server
        /// last said was left).
        public var remaining: Int
        /// When the next request leaves the window (`nil`: the window is empty).
        public var reset: Date?
    }

    /// The credential.
    public var credential: String
    /// The script.
    public var script: String
    /// The spec's windows and their state.
    public var windows: [WindowState]
    /// Until when a 429 or the server's headers hold the credential back.
    public var pausedUntil: Date?
    /// The script's weight.
    public var weight: Int
    /// The script's share of the credential: its weight over the weights of the scripts that
    /// used the credential lately (1 when alone).
    public var share: Double
    /// Calls waiting for a slot now, all scripts.
    public var waiting: Int
}
