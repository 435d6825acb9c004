/// One handler a rules file registered: what fires it (an event pattern, a cron spec, an `every`
/// period, or a name for `after`/`at` timers), its name (what jobs, slots, pauses and history are
/// keyed on) and its policies.
public struct Rule: Sendable, Equatable {
    /// What fires the rule.
    public enum Kind: Sendable, Equatable {
        /// `on(pattern, fn)`: a webhook event whose name matches the pattern (`order.*`).
        case event(String)
        /// `cron(spec, fn)`: the slots of a five-field cron spec (or a macro like `@daily`), as written.
        case cron(String)
        /// `every(duration, fn)`: multiples of a period since the Unix epoch, as written (`15m`).
        case every(String)
        /// `job(name, fn)`: a named handler that `after` and `at` timers call; the name as given.
        case job(String)

        /// The registration function's name: `on`, `cron`, `every` or `job`.
        public var function: String {
            switch self {
            case .event: "on"
            case .cron: "cron"
            case .every: "every"
            case .job: "job"
            }
        }

        /// The pattern, spec, period or job name, as written.
        public var spec: String {
            switch self {
            case .event(let text), .cron(let text), .every(let text), .job(let text): text
            }
        }

        /// Whether the rule is a schedule (`cron` or `every`).
        public var isSchedule: Bool {
            switch self {
            case .cron, .every: true
            case .event, .job: false
            }
        }
    }

    /// What a schedule does with the slots it missed while no runner was up.
    public enum CatchUp: String, Sendable, CaseIterable {
        /// Missed slots are recorded as missed; none runs.
        case skip
        /// One run, for the newest missed slot (the default).
        case latest
        /// One run for each missed slot within ``Rule/catchUpWindow``.
        case all
    }

    /// What a schedule does when its slot comes while its previous run is still going.
    public enum Overlap: String, Sendable, CaseIterable {
        /// The new slot is skipped, and recorded as skipped (the default).
        case skip
        /// One run waits for the running one; later slots are skipped.
        case queueOne = "queue_one"
        /// The runs go on side by side.
        case allow
    }

    /// The given `{ name = "..." }`, or one derived from the file, the kind and the spec
    /// (`vip_rules:cron:0 9 * * *`), with `#2`, `#3` for a second and third alike.
    public var name: String
    /// What fires it.
    public var kind: Kind
    /// A cron rule's IANA time zone; `nil`: the configuration's `time_zone`.
    public var zone: String?
    /// A schedule's catch-up policy (default ``CatchUp/latest``).
    public var catchUp: CatchUp
    /// How far back ``CatchUp/all`` reaches (`catch_up_window = "6h"`); `nil`: no bound given.
    public var catchUpWindow: Duration?
    /// A schedule's overlap policy (default ``Overlap/skip``).
    public var overlap: Overlap
    /// How many times a run of it is tried before its job is dead (default 5).
    public var attempts: Int
    /// The line of the rules file that registered it.
    public var line: Int

    /// The attempts a rule gets unless it says otherwise.
    public static let defaultAttempts = 5

    /// A rule.
    public init(name: String, kind: Kind, zone: String? = nil, catchUp: CatchUp = .latest, catchUpWindow: Duration? = nil,
                overlap: Overlap = .skip, attempts: Int = Rule.defaultAttempts, line: Int = 0) {
        self.name = name
        self.kind = kind
        self.zone = zone
        self.catchUp = catchUp
        self.catchUpWindow = catchUpWindow
        self.overlap = overlap
        self.attempts = attempts
        self.line = line
    }

    /// Whether an event named `event` fires this rule: an `on` pattern equal to it, or one whose
    /// `*` stand for any run of characters (`order.*` matches `order.created`; `*` matches
    /// every event). Rules of other kinds match no event.
    public func matches(event: String) -> Bool {
        guard case .event(let pattern) = kind else { return false }
        return Self.glob(Array(pattern.utf8)[...], Array(event.utf8)[...])
    }

    private static func glob(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        guard let star = pattern.firstIndex(of: UInt8(ascii: "*")) else { return pattern.elementsEqual(text) }
        let head = pattern[..<star]
        guard text.count >= head.count, text.prefix(head.count).elementsEqual(head) else { return false }
        let rest = pattern[(star + 1)...]
        var start = text.startIndex + head.count
        while true {
            if glob(rest, text[start...]) { return true }
            guard start < text.endIndex else { return false }
            start += 1
        }
    }

    /// The options that differ from the defaults, as `key=value` the way a rules file writes
    /// them (`zone=Asia/Jakarta catch_up=all`), for listings.
    public var optionsDescription: String {
        var parts: [String] = []
        if let zone { parts.append("zone=\(zone)") }
        if catchUp != .latest { parts.append("catch_up=\(catchUp.rawValue)") }
        if let catchUpWindow { parts.append("catch_up_window=\(Self.text(of: catchUpWindow))") }
        if overlap != .skip { parts.append("overlap=\(overlap.rawValue)") }
        if attempts != Self.defaultAttempts { parts.append("attempts=\(attempts)") }
        return parts.joined(separator: " ")
    }

    /// A whole duration the way a rules file writes it: `6h`, `90m`, `45s`.
    static func text(of duration: Duration) -> String {
        let seconds = duration.components.seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds != 0 && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }
}
