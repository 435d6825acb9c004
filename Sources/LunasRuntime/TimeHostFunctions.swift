import Foundation
import LuaKit

/// What `stdlib/lunas/time.lua` needs from the host: the time zone database, as the global
/// `__time` — `__time.offset(zone, epoch)` gives the seconds east of UTC of the IANA zone `zone`
/// at the instant `epoch` (seconds since 1970, UTC), and `__time.zone` the zone a script gets when
/// it names none.
struct TimeHostFunctions {
    /// The global the functions are installed as.
    static let global = "__time"
    /// The zone when the configuration names none.
    static let fallbackZone = "Asia/Jakarta"

    /// The zone `lunas.time` uses when a script names none.
    let defaultZone: String

    /// Installs `__time` into `state`.
    func install(in state: LuaState) throws {
        state.setGlobal(Self.global, .table(LuaTable()))
        state.setGlobal("\(Self.global).zone", .string(LuaString(defaultZone)))
        state.register("\(Self.global).offset") { call in
            let name = try call.string(1)
            let epoch = try call.number(2)
            guard let zone = Self.zone(name) else {
                throw LuaError(.runtime, "unknown time zone \"\(name)\": use an IANA name like Asia/Jakarta, Europe/Berlin or UTC")
            }
            return [.integer(Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: epoch))))]
        }
    }

    /// The zone named `name`, from the host's time zone database.
    static func zone(_ name: String) -> TimeZone? {
        guard !name.isEmpty else { return nil }
        return TimeZone(identifier: name)
    }
}
