import Foundation

extension Date {
    /// The instant as ISO 8601 on the wall clock of `zone`, with its offset, to the second:
    /// `2026-12-03T09:00:00+07:00` (UTC is `+00:00`).
    public func iso8601(in zone: TimeZone) -> String {
        let instant = Int64(timeIntervalSince1970.rounded(.down))
        let offset = Int64(zone.secondsFromGMT(for: self))
        let wall = instant + offset
        let time = CivilTime(wallSeconds: wall)
        let second = Int(CivilTime.floorModulo(wall, 60))
        let sign = offset < 0 ? "-" : "+"
        let magnitude = Int(abs(offset))
        var text = "\(Self.digits(time.year, 4))-\(Self.digits(time.month, 2))-\(Self.digits(time.day, 2))"
        text += "T\(Self.digits(time.hour, 2)):\(Self.digits(time.minute, 2)):\(Self.digits(second, 2))"
        text += "\(sign)\(Self.digits(magnitude / 3600, 2)):\(Self.digits(magnitude % 3600 / 60, 2))"
        // a local mean time of the 19th century may be off by seconds
        if magnitude % 60 != 0 { text += ":\(Self.digits(magnitude % 60, 2))" }
        return text
    }

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
