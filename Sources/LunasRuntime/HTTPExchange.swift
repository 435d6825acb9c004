import AsyncHTTPClient
import Foundation
import LuaKit
import NIOCore
import Scalev

/// One `http.get`/`http.post` call: checks the URL against the allow-list and the addresses it
/// resolves to, sends, follows up to 5 redirects (checking each the same way), and collects a
/// bounded answer. Every request sent — each redirect too — is counted by the run's API call cap.
struct HTTPExchange: Sendable {
    let access: HTTPAccess
    let calls: CallTally
    let deadline: RunDeadline
    let redactor: Redactor

    /// The most redirects a call follows.
    static let maxRedirects = 5
    /// Headers a script may not set: the module sets them from the URL and the body.
    static let reservedHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer"]
    /// Headers dropped when a redirect leads to another host.
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie"]

    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
    }

    struct Target {
        var url: URL
        var scheme: String
        var host: String
        var port: Int?
        var match: HTTPAllowList.Match
    }

    func perform(method: String, url text: String, body: [UInt8]?, headers: [(String, String)], timeout: Duration?) async throws -> Answer {
        let settings = access.settings
        if let body, body.count > settings.maxRequestBytes {
            throw HTTPLuaError(.requestTooLarge, "the request body is \(body.count) bytes, more than the \(Self.bytes(settings.maxRequestBytes)) a call may send ([http] max_request_bytes)")
        }
        let wanted = timeout ?? settings.timeout
        var budget = wanted
        if let remaining = deadline.remaining() { budget = min(budget, remaining) }
        if budget <= .zero, let limit = deadline.limit {
            throw LuaError(.limit(.deadline(limit)), LuaLimit.deadline(limit).message)
        }
        let end = NIODeadline.now() + .nanoseconds(Int64(budget.components.seconds) * 1_000_000_000 + budget.components.attoseconds / 1_000_000_000)
        let allow = HTTPAllowList(settings.allow)
        var method = method, body = body, headers = headers
        var current = try target(text, allow: allow, redirectedFrom: nil)
        var redirects = 0
        while true {
            let answer = try await send(method: method, to: current, headers: headers, body: body, until: end, timeout: budget)
            guard [301, 302, 303, 307, 308].contains(answer.status),
                  let location = answer.headers.first(where: { $0.0.lowercased() == "location" })?.1 else { return answer }
            redirects += 1
            guard redirects <= Self.maxRedirects else {
                throw HTTPLuaError(.tooManyRedirects, "\(current.host) redirected more than \(Self.maxRedirects) times")
            }
            guard let next = URL(string: location, relativeTo: current.url)?.absoluteURL else {
                throw HTTPLuaError(.invalidResponse, "\(current.host) redirects to a location that is not a URL")
            }
            let target = try self.target(next.absoluteString, allow: allow, redirectedFrom: current.host)
            if answer.status == 303 || ([301, 302].contains(answer.status) && method == "POST") {
                method = "GET"
                body = nil
                headers.removeAll { $0.0.lowercased() == "content-type" }
            }
            if AllowName(target.host) != AllowName(current.host) {
                headers.removeAll { Self.credentialHeaders.contains($0.0.lowercased()) }
            }
            current = target
        }
    }

    private struct AllowName: Equatable {
        let name: String
        init(_ host: String) { name = HTTPAllowList.normalized(host) }
    }

    /// The URL checked: http or https, a host, no user name or password, a host the list allows.
    private func target(_ text: String, allow: HTTPAllowList, redirectedFrom origin: String?) throws -> Target {
        guard let url = URL(string: text), let components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased() else {
            throw HTTPLuaError(.invalidRequest, origin.map { "\($0) redirects to a location that is not a URL" } ?? "the url is not a URL with a scheme and a host")
        }
        guard scheme == "http" || scheme == "https" else {
            throw HTTPLuaError(.invalidRequest, (origin.map { "\($0) redirects to" } ?? "the url is") + " a \(scheme): URL; only http and https are reached")
        }
        guard let host = components.host, !host.isEmpty else { throw HTTPLuaError(.invalidRequest, "the url has no host") }
        guard components.user == nil, components.password == nil else {
            throw HTTPLuaError(.invalidRequest, "the url carries a user name or password; send credentials in a header (headers = { Authorization = ... })")
        }
        guard let match = allow.match(host) else {
            let what = origin.map { "\($0) redirects to host '\(host)', which is not allowed" } ?? "host '\(host)' is not allowed"
            throw HTTPLuaError(.notAllowed, "\(what); add it to [http] allow in lunas.toml")
        }
        return Target(url: url, scheme: scheme, host: host, port: components.port, match: match)
    }

    /// One request to `target`, at an address checked just before: plain http connects to that
    /// address itself (the name is sent as `Host`), so a name that resolves differently a moment
    /// later cannot lead it elsewhere; https connects by name, and the server's certificate must be
    /// valid for that name.
    private func send(method: String, to target: Target, headers: [(String, String)], body: [UInt8]?,
                      until end: NIODeadline, timeout: Duration) async throws -> Answer {
        let bareHost = HTTPAllowList.normalized(target.host)
        let addresses: [HTTPAddress]
        do {
            addresses = try await HTTPAddress.resolve(bareHost)
        } catch let error as HTTPAddress.LookupError {
            throw HTTPLuaError(.connection, error.description, retryable: true)
        }
        if target.match != .exact, let inside = addresses.first(where: { !$0.isPublic }) {
            throw HTTPLuaError(.privateAddress, "host '\(target.host)' resolves to \(inside), a private or local address; only a host [http] allow names exactly (not by a wildcard) is reached at one")
        }
        var url = target.url
        var hostHeader: String?
        // IPv4 first: a loopback server commonly listens on 127.0.0.1 only, while `localhost`
        // resolves to ::1 first
        if target.scheme == "http", let address = addresses.first(where: { !$0.isIPv6 }) ?? addresses.first, var components = URLComponents(url: target.url, resolvingAgainstBaseURL: false) {
            components.percentEncodedHost = address.urlHost
            if let pinned = components.url { url = pinned }
            hostHeader = target.port.map { "\(target.host):\($0)" } ?? target.host
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .init(rawValue: method)
        if let hostHeader { request.headers.add(name: "Host", value: hostHeader) }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) { request.headers.add(name: "User-Agent", value: "lunas-http/1") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let client = try access.client()
        do {
            try calls.take()
        } catch {
            throw LuaError(.limit(.apiCalls(error.limit)), error.description)
        }
        let maxBytes = access.settings.maxResponseBytes
        do {
            let response = try await client.execute(request, deadline: end)
            var answerHeaders: [(String, String)] = []
            for (name, value) in response.headers { answerHeaders.append((name, value)) }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                throw NIOTooManyBytesError(maxBytes: maxBytes)
            }
            let buffer = try await response.body.collect(upTo: maxBytes)
            return Answer(status: Int(response.status.code), headers: answerHeaders, body: Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            throw HTTPLuaError(.responseTooLarge, "the answer of \(target.host) is longer than the \(Self.bytes(maxBytes)) a call may receive ([http] max_response_bytes)")
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            // waited until the run's deadline: the run ends there, as it would by the watchdog
            if let limit = deadline.limit, let remaining = deadline.remaining(), remaining <= .milliseconds(50) {
                throw LuaError(.limit(.deadline(limit)), LuaLimit.deadline(limit).message)
            }
            throw HTTPLuaError(.timeout, "no answer from \(target.host) within \(Self.seconds(timeout))", retryable: true)
        } catch let error as HTTPLuaError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw HTTPLuaError(.connection, "cannot reach \(target.host) (\(redactor.redact(Self.describe(error))))", retryable: true)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError { return "\(client)" }
        let text = String(describing: error)
        if text.lowercased().contains("connection refused") { return "connection refused" }
        return String(String(reflecting: type(of: error)).split(separator: ".").last ?? "error")
    }

    static func bytes(_ count: Int) -> String {
        count % (1 << 20) == 0 ? "\(count >> 20) MiB" : count % (1 << 10) == 0 ? "\(count >> 10) KiB" : "\(count) bytes"
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int64(value)) s" : String(format: "%.3g s", value)
    }
}

/// A failed `http` call as the Lua table scripts catch: `message`, `code` and `retryable`.
struct HTTPLuaError: LuaErrorConvertible, Error {
    enum Code: String {
        case notAllowed = "not_allowed"
        case privateAddress = "private_address"
        case invalidRequest = "invalid_request"
        case requestTooLarge = "request_too_large"
        case responseTooLarge = "response_too_large"
        case tooManyRedirects = "too_many_redirects"
        case invalidResponse = "invalid_response"
        case timeout
        case connection = "connection_error"
    }

    let code: Code
    var message: String
    let retryable: Bool

    init(_ code: Code, _ detail: String, retryable: Bool = false) {
        self.code = code
        self.message = "http: " + detail
        self.retryable = retryable
    }

    var luaMessage: String { message }

    var luaFields: LuaTable {
        LuaTable(fields: [
            "message": .string(LuaString(message)), "code": .string(LuaString(code.rawValue)), "retryable": .boolean(retryable),
        ])
    }
}
