import Foundation

extension TimeZone {
    /// The IANA time zone `identifier` names (`Asia/Jakarta`, `Europe/Berlin`, `UTC`), or an
    /// error saying so when there is none by that name.
    public static func iana(_ identifier: String) throws(ScheduleError) -> TimeZone {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier) else {
            throw ScheduleError(
                "unknown time zone \"\(identifier)\": use an IANA name like Asia/Jakarta, Europe/Berlin or UTC (the names are in /usr/share/zoneinfo, Debian package tzdata)")
        }
        return zone
    }
}
