import Foundation
import LuaKit
import LunasClock

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

    /// Makes `os.time()` and `os.date(format)` (no time given) read `clock`; with a time, or
    /// `os.time` of a date table, they are Lua's own.
    static func installClock(_ clock: any WallClock, in state: LuaState) throws {
        state.register("__lunas_clock") { _ in [.integer(Int64(clock.now().timeIntervalSince1970.rounded(.down)))] }
        _ = try state.call("""
            local now, time, date = __lunas_clock, os and os.time, os and os.date
            __lunas_clock = nil
            if time then os.time = function(t) if t == nil then return now() end return time(t) end end
            if date then os.date = function(format, t) if t == nil then t = now() end return date(format, t) end end
            """, name: "=lunas.clock")
    }
}
