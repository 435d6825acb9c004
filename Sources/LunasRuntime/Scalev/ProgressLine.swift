import Foundation
import Synchronization

/// The progress line of long iterations on a terminal: count, rate and, when the total is
/// known, the ETA; redrawn at most a few times a second; nothing when output is not a terminal.
public final class ProgressLine: Sendable {
    private struct State {
        var started: ContinuousClock.Instant?
        var lastDrawn: ContinuousClock.Instant?
        var drawn = false
        /// Whether the line is on the terminal now (not erased by ``clear()``).
        var showing = false
    }

    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// A progress line written with `write` (a terminal's standard error).
    public init(write: @escaping @Sendable (String) -> Void) { self.write = write }

    /// Standard error when it is a terminal, else `nil`.
    public static func standardErrorIfTerminal() -> ProgressLine? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return ProgressLine { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// Erases the line if it is showing, so that other output on the terminal starts at the left
    /// margin; the next report draws it again.
    public func clear() {
        let showing = state.withLock { state in
            defer { state.showing = false; state.lastDrawn = nil }
            return state.showing
        }
        if showing { write("\r\u{1B}[K") }
    }

    /// Reports `count` items of `label` so far; `done` ends the line.
    public func report(label: String, count: Int, total: Int?, done: Bool) {
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            let started = state.started ?? now
            state.started = started
            if !done, let last = state.lastDrawn, now - last < .milliseconds(250) { return nil }
            if done && !state.drawn { state.started = nil; return nil }
            state.lastDrawn = now
            state.drawn = !done
            state.showing = !done
            if done { state.started = nil }
            let seconds = Double((now - started).components.attoseconds) / 1e18 + Double((now - started).components.seconds)
            let rate = seconds > 0 ? Double(count) / seconds : 0
            var text = "\r\(label): \(count)"
            if let total { text += "/\(total)" }
            text += String(format: " · %.0f/s", rate)
            if let total, rate > 0, total > count { text += String(format: " · ETA %.0fs", Double(total - count) / rate) }
            return text + (done ? "\n" : "\u{1B}[K")
        }
        if let line { write(line) }
    }
}
