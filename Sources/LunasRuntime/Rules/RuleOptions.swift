import Foundation
import LuaKit
import LunasSchedule

/// The options table of a registration (`{ name = "...", attempts = 3 }`), checked: an unknown
/// key fails with the nearest known one, a bad value says what the key takes.
struct RuleOptions {
    var name: String?
    var zone: String?
    var catchUp = Rule.CatchUp.latest
    var catchUpWindow: Duration?
    var overlap = Rule.Overlap.skip
    var attempts = Rule.defaultAttempts

    /// The keys each registration function takes.
    static let keys: [String: [String]] = [
        "on": ["attempts", "name"],
        "job": ["attempts", "name"],
        "cron": ["attempts", "catch_up", "catch_up_window", "name", "overlap", "zone"],
        "every": ["attempts", "catch_up", "catch_up_window", "name", "overlap"],
    ]

    /// Reads the options of `function` (`on`, `cron`, `every`, `job`) from `table`.
    init(_ table: LuaTable, function: String) throws {
        let allowed = Self.keys[function] ?? []
        for (key, value) in table.fields.sorted(by: { "\($0.key)" < "\($1.key)" }) + table.array.enumerated().map({ (LuaValue.integer(Int64($0.offset + 1)), $0.element) }) {
            guard let key = key.stringValue else {
                throw Self.error(function, "the options are named (like { name = \"nightly\" }); found a value at key \(key.integerValue.map(String.init) ?? key.typeName)")
            }
            guard allowed.contains(key) else { throw Self.unknown(key, function: function, allowed: allowed) }
            switch key {
            case "name":
                guard let text = value.stringValue, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw Self.error(function, "name must be a non-empty string, got \(Self.shown(value))")
                }
                name = text
            case "zone":
                guard let text = value.stringValue else { throw Self.error(function, "zone must be an IANA time zone name like \"Asia/Jakarta\", got \(Self.shown(value))") }
                do { _ = try TimeZone.iana(text) } catch { throw Self.error(function, "zone: \(error)") }
                zone = text
            case "catch_up":
                guard let text = value.stringValue, let policy = Rule.CatchUp(rawValue: text) else {
                    throw Self.error(function, "catch_up must be \"skip\", \"latest\" or \"all\", not \(Self.shown(value))")
                }
                catchUp = policy
            case "catch_up_window":
                catchUpWindow = .seconds(try RuleDuration.seconds(value, what: "\(function): catch_up_window"))
            case "overlap":
                guard let text = value.stringValue, let policy = Rule.Overlap(rawValue: text) else {
                    throw Self.error(function, "overlap must be \"skip\", \"queue_one\" or \"allow\", not \(Self.shown(value))")
                }
                overlap = policy
            default: // attempts
                guard let count = value.integerValue, count >= 1, count <= Int64(Int32.max) else {
                    throw Self.error(function, "attempts must be a whole number of tries, 1 or more, not \(Self.shown(value))")
                }
                attempts = Int(count)
            }
        }
        if catchUpWindow != nil, catchUp != .all {
            throw Self.error(function, "catch_up_window bounds catch_up = \"all\": add catch_up = \"all\", or leave the window out")
        }
    }

    private static func unknown(_ key: String, function: String, allowed: [String]) -> LuaError {
        if let owner = keys.filter({ $0.value.contains(key) }).map(\.key).sorted().first {
            let why = key == "zone" && function == "every" ? " (every fires at multiples of its period since the epoch, the same in every zone)" : ""
            return error(function, "'\(key)' is an option of \(owner), not of \(function)\(why); \(function) takes \(allowed.joined(separator: ", "))")
        }
        let hint = ScriptGlobals.nearest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
        return error(function, "unknown option '\(key)'\(hint); \(function) takes \(allowed.joined(separator: ", "))")
    }

    static func error(_ function: String, _ message: String) -> LuaError {
        LuaError(.usage, "\(function): \(message)")
    }

    /// A value as an error message shows it: strings quoted, others by type.
    static func shown(_ value: LuaValue) -> String {
        switch value {
        case .string(let text): "\"\(String(decoding: text.bytes, as: UTF8.self))\""
        case .integer(let n): "\(n)"
        case .number(let x): "\(x)"
        case .boolean(let b): "\(b)"
        default: value.typeName
        }
    }
}

/// A duration as rules files write it: `"15m"`, `"2h"`, `"30s"`, `"1d"`, or seconds as a number
/// (``EverySpec``'s syntax).
enum RuleDuration {
    /// The whole seconds of `value`, at least 1; `what` names it in the error (`after: the delay`).
    static func seconds(_ value: LuaValue, what: String) throws -> Int64 {
        let text: String
        switch value {
        case .string(let string): text = String(decoding: string.bytes, as: UTF8.self)
        case .integer(let n): text = "\(n)"
        case .number(let x) where x.rounded() == x && abs(x) < 1e15: text = "\(Int64(x))"
        default:
            throw LuaError(.usage, "\(what) must be a duration like \"15m\", \"2h\", \"30s\" or \"1d\", or whole seconds as a number; got \(RuleOptions.shown(value))")
        }
        do {
            return try EverySpec(parsing: text).seconds
        } catch {
            throw LuaError(.usage, "\(what) must be a duration like \"15m\", \"2h\", \"30s\" or \"1d\", or whole seconds as a number (at least 1); got \(RuleOptions.shown(value))")
        }
    }
}
