/// ISO 8601 timestamps in UTC (`2026-01-31T08:15:00Z`), formatted and parsed without Foundation's
/// formatters so that they are fast, `Sendable` and identical on every platform.
enum Timestamp {
    /// Formats epoch seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    static func format(_ epoch: Double) -> String {
        // years 0000 to 9999: a time from a request or a moved clock cannot overflow the arithmetic
        let seconds = epoch.isNaN ? 0 : Int(min(max(epoch, -62_167_219_200), 253_402_300_799).rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return String(format4(year)) + "-" + pad2(month) + "-" + pad2(day) + "T" + pad2(secondOfDay / 3600)
            + ":" + pad2(secondOfDay / 60 % 60) + ":" + pad2(secondOfDay % 60) + "Z"
    }

    /// The date part only, `YYYY-MM-DD`.
    static func day(_ epoch: Double) -> String { String(format(epoch).prefix(10)) }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional `Z` or `±HH:MM` offset.
    static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var epoch = Double(days(fromCivil: year, month, day) * 86_400)
        guard bytes.count > 10 else { return epoch }
        guard let hour = number(11, 2), let minute = number(14, 2) else { return nil }
        epoch += Double(hour * 3600 + minute * 60)
        var index = 16
        if index < bytes.count, bytes[index] == UInt8(ascii: ":"), let second = number(17, 2) {
            epoch += Double(second)
            index = 19
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard let offsetHour = number(index + 1, 2), let offsetMinute = number(index + 4, 2) else { return nil }
            let offset = Double(offsetHour * 3600 + offsetMinute * 60)
            epoch += bytes[index] == UInt8(ascii: "+") ? -offset : offset
        }
        return epoch
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    private static func format4(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    // Howard Hinnant's days <-> civil date algorithms.
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
