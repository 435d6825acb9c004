/// One of the five fields of a cron spec: which of its values (minutes 0-59, hours 0-23, days of
/// the month 1-31, months 1-12, days of the week 0-6) it allows, as a bit set.
struct CronField: Equatable, Sendable {
    /// What the field is and what it accepts.
    struct Kind: Sendable {
        let name: String
        let range: ClosedRange<Int>
        /// Three-letter names, the first for `range.lowerBound`.
        let names: [String]
        /// What the error says is allowed.
        let allowed: String

        static let minute = Kind(name: "minute", range: 0...59, names: [], allowed: "0-59")
        static let hour = Kind(name: "hour", range: 0...23, names: [], allowed: "0-23")
        static let dayOfMonth = Kind(name: "day-of-month", range: 1...31, names: [], allowed: "1-31")
        static let month = Kind(
            name: "month", range: 1...12,
            names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
            allowed: "1-12 or JAN-DEC")
        // 7 is Sunday as well as 0; stored as 0.
        static let dayOfWeek = Kind(
            name: "day-of-week", range: 0...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
            allowed: "0-7 (0 and 7 are Sunday) or SUN-SAT")
    }

    /// Bit `v` is set when value `v` is allowed.
    private(set) var bits: UInt64
    /// False only for a bare `*`: `*/10` and `1-31` restrict (croniter's rule for day fields).
    let isRestricted: Bool
    /// True when some item is `*` or has a step: in an autumn overlap such an hour field fires in
    /// both occurrences of a repeated hour.
    let isWildcardOrStep: Bool

    init(bits: UInt64, isRestricted: Bool, isWildcardOrStep: Bool) {
        self.bits = bits
        self.isRestricted = isRestricted
        self.isWildcardOrStep = isWildcardOrStep
    }

    func contains(_ value: Int) -> Bool {
        value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0
    }

    /// The smallest allowed value at or above `value`, if any.
    func first(atOrAbove value: Int) -> Int? {
        guard value < 64 else { return nil }
        let above = bits & (UInt64.max << UInt64(max(value, 0)))
        return above == 0 ? nil : above.trailingZeroBitCount
    }

    /// The allowed values in increasing order.
    var values: [Int] { (0..<64).filter(contains) }

    /// Parses `text` (a comma list of `*`, `N`, `A-B`, each optionally `/STEP`; `N/STEP` runs to the
    /// end of the range) as a field of the given kind.
    init(parsing text: String, as kind: Kind) throws(ScheduleError) {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        var bits: UInt64 = 0
        var wildcardOrStep = false
        for item in items {
            let item = String(item)
            guard !item.isEmpty else {
                throw ScheduleError("\(kind.name) field \"\(text)\": an empty item in the list; separate values with single commas")
            }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else {
                throw Self.failure(kind, text, item, "use one step, like */15 or 0-30/5")
            }
            let base = String(parts[0])
            var step = 1
            if parts.count == 2 {
                wildcardOrStep = true
                let stepText = String(parts[1])
                let span = kind.range.upperBound - kind.range.lowerBound
                guard let value = Int(stepText), value >= 1, value <= max(span, 1) else {
                    throw Self.failure(kind, text, item, "the step must be 1-\(max(span, 1))")
                }
                step = value
            }
            let low: Int, high: Int
            if base == "*" {
                wildcardOrStep = true
                (low, high) = (kind.range.lowerBound, kind == .dayOfWeek ? 6 : kind.range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try Self.value(String(base[..<dash]), kind, text, item)
                high = try Self.value(String(base[base.index(after: dash)...]), kind, text, item)
                guard low <= high else {
                    throw Self.failure(kind, text, item, "a range runs from low to high, like \(high)-\(low)")
                }
            } else {
                low = try Self.value(base, kind, text, item)
                // `5/15` is 5, 20, 35, 50; a plain `5` is just 5
                high = parts.count == 2 ? kind.range.upperBound : low
            }
            for value in stride(from: low, through: high, by: step) {
                let stored = kind == .dayOfWeek && value == 7 ? 0 : value
                bits |= 1 << UInt64(stored)
            }
        }
        self.init(bits: bits, isRestricted: text != "*", isWildcardOrStep: wildcardOrStep)
    }

    private static func value(_ token: String, _ kind: Kind, _ text: String, _ item: String) throws(ScheduleError) -> Int {
        if !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(token) {
            guard kind.range.contains(number) else { throw failure(kind, text, token, "must be \(kind.allowed)") }
            return number
        }
        if let index = kind.names.firstIndex(of: token.uppercased()) {
            return kind.range.lowerBound + index
        }
        throw failure(kind, text, token.isEmpty ? item : token, "must be \(kind.allowed)")
    }

    /// `minute field "61": must be 0-59`, or with the field around the token when they differ:
    /// `minute field "5,61": "61" must be 0-59`.
    private static func failure(_ kind: Kind, _ text: String, _ token: String, _ rule: String) -> ScheduleError {
        token == text
            ? ScheduleError("\(kind.name) field \"\(text)\": \(rule)")
            : ScheduleError("\(kind.name) field \"\(text)\": \"\(token)\" \(rule)")
    }
}

extension CronField.Kind: Equatable {
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
}
