import LuaKit
import Scalev

/// The Lua `http` module: `http.get(url [, opts])` and `http.post(url [, opts])` to the hosts
/// `[http] allow` names, answering `{ status, headers, body, json }` (see ``HTTPExchange``).
/// Calls suspend the script like every I/O; an answer of any status is an answer, not an error.
struct HTTPModule: ScriptModule {
    var name: String { "http" }
    var fields: Set<String> { Self.knownFields }
    static let knownFields: Set<String> = ["get", "post"]

    let exchange: HTTPExchange

    func install(in state: LuaState) throws {
        let exchange = self.exchange
        state.registerAsync("__http.request") { arguments in
            func argument(_ index: Int) -> LuaValue { index < arguments.count ? arguments[index] : .nil }
            let method = argument(0).stringValue ?? "GET"
            let url = argument(1).stringValue ?? ""
            let body: [UInt8]? = if case .string(let text) = argument(2) { text.bytes } else { nil }
            var headers = try Self.headers(argument(3))
            if case .string(let type) = argument(5), !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                headers.append(("Content-Type", type.description))
            }
            let timeout = try Self.timeout(argument(4))
            do {
                let answer = try await exchange.perform(method: method, url: url, body: body, headers: headers, timeout: timeout)
                var fields: [String: String] = [:]
                for (name, value) in answer.headers {
                    let name = name.lowercased()
                    fields[name] = fields[name].map { $0 + ", " + value } ?? value
                }
                return [.integer(Int64(answer.status)), .table(LuaTable(fields: fields.mapValues { .string(LuaString($0)) })),
                        .string(LuaString(bytes: answer.body))]
            } catch var error as HTTPLuaError {
                error.message = exchange.redactor.redact(error.message)
                throw error
            }
        }
        try HostChunk.http.run(in: state)
    }

    /// A script's headers: names and values are strings (a number value is written as Lua
    /// would), no line breaks, none of ``HTTPExchange/reservedHeaders``.
    static func headers(_ value: LuaValue) throws -> [(String, String)] {
        guard case .table(let table) = value else { return [] }
        guard table.array.isEmpty else { throw LuaError(.usage, "http: headers must be a table of names and values, like { Authorization = \"Bearer ...\" }") }
        var headers: [(String, String)] = []
        for (key, value) in table.fields {
            guard let name = key.stringValue, !name.isEmpty,
                  name.utf8.allSatisfy({ $0 > 32 && $0 < 127 && !"()<>@,;:\\\"/[]?={}".utf8.contains($0) }) else {
                throw LuaError(.usage, "http: a header name must be a token like X-Request-Id, not \(key)")
            }
            guard !HTTPExchange.reservedHeaders.contains(name.lowercased()) else {
                throw LuaError(.usage, "http: the header '\(name)' is set by http itself")
            }
            let text: String
            switch value {
            case .string(let string): text = string.description
            case .integer(let n): text = String(n)
            case .number(let x) where x.isFinite: text = String(x)
            default: throw LuaError(.usage, "http: the header '\(name)' must be a string, got \(value.typeName)")
            }
            guard !text.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
                throw LuaError(.usage, "http: the header '\(name)' holds a line break")
            }
            headers.append((name, text))
        }
        return headers.sorted { $0.0 < $1.0 }
    }

    /// A script's `timeout`: seconds, more than 0, at most ``HTTPSettings/longestTimeout``.
    static func timeout(_ value: LuaValue) throws -> Duration? {
        let seconds: Double
        switch value {
        case .nil: return nil
        case .integer(let n): seconds = Double(n)
        case .number(let x): seconds = x
        default: throw LuaError(.usage, "http: timeout must be a number of seconds, got \(value.typeName)")
        }
        guard seconds > 0, seconds <= 600 else {
            throw LuaError(.usage, "http: timeout must be more than 0 and at most 600 seconds, not \(seconds.isNaN ? "NaN" : String(seconds))")
        }
        return .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }
}
