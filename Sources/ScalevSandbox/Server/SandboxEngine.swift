import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScalevModel
import Synchronization

/// The sandbox's request pipeline: routing, faults, authentication, rate limits, scopes, body
/// validation, the handler under the state lock, webhooks and headers.
final class SandboxEngine: Sendable {
    let configuration: SandboxConfiguration
    let clock: SandboxClock
    let catalog: OperationCatalog
    let routes: RouteTable
    let state: Mutex<SandboxState>
    let limiter = SlidingWindowLimiter()
    let statistics = SandboxStatistics()
    let faults = FaultInjector()
    let webhooks: WebhookDispatcher
    let businessWindows: Mutex<[RateWindow]>
    let dirty = Mutex(false)
    let logger: Logger

    init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        let catalog = try OperationCatalog.bundled()
        self.catalog = catalog
        var initial: SandboxState
        if let file = configuration.dataFile, FileManager.default.fileExists(atPath: file) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let snapshot = try JSONDecoder().decode(SandboxSnapshot.self, from: data)
            initial = snapshot.state
            initial.secrets = SecretGenerator(seed: configuration.keySeed)
            // keys are per start: the saved ones are replaced
            initial.installSecrets(of: initial.credentials.withSecrets(from: &initial.secrets))
            clock = SandboxClock(offset: snapshot.clockOffset, frozen: configuration.frozenClock)
        } else {
            clock = SandboxClock(frozen: configuration.frozenClock)
            initial = SandboxSeed.make(
                seed: configuration.seed, orderCount: configuration.seededOrderCount, scopes: catalog.allScopes,
                anchor: configuration.seedAnchor(now: clock.now), secrets: SecretGenerator(seed: configuration.keySeed))
        }
        for url in configuration.webhookURLs where !initial.webhookEndpoints.contains(where: { $0.url == url }) {
            initial.webhookEndpoints.append(WebhookEndpoint(id: initial.number(), url: url, secret: initial.credentials.webhookSecret))
        }
        state = Mutex(initial)
        businessWindows = Mutex(configuration.businessRateLimits)
        webhooks = WebhookDispatcher(retries: configuration.webhookRetries, retryDelay: configuration.webhookRetryDelay)
        var registry = RouteRegistry(catalog: catalog)
        OrderRoutes.register(&registry)
        CommerceRoutes.register(&registry)
        MeRoutes.register(&registry)
        CheckoutIntentRoutes.register(&registry)
        StorefrontRoutes.register(&registry)
        CustomerAuthRoutes.register(&registry)
        CustomerRoutes.register(&registry)
        OAuthRoutes.register(&registry)
        V2Routes.register(&registry)
        GenericRoutes.register(&registry)
        routes = registry.table
        var logger = Logger(label: "ScalevSandbox")
        logger.logLevel = configuration.logRequests ? .info : .warning
        self.logger = logger
    }

    // MARK: Pipeline

    func respond(to request: Request, context: SandboxRequestContext) async -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        var body: [UInt8] = []
        if let buffer = try? await request.body.collect(upTo: context.maxUploadSize) {
            body = Array(buffer.readableBytesView)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { Self.percentDecode(String($0)) }
        var sandboxRequest = SandboxRequest(
            method: method, path: path, segments: segments, query: Self.parseQuery(request.uri.query), headers: headers,
            rawBody: body, json: nil, clientAddress: clientAddress(headers: headers, context: context), now: clock.now)
        if configuration.logRequests { logger.info("\(method) \(path)") }
        if segments.first == "_sandbox" {
            return Self.response(await admin(sandboxRequest), rateHeaders: [])
        }
        guard let (route, params) = routes.match(method: method, segments: segments) else {
            let exists = routes.pathExists(segments)
            let error = exists
                ? APIError(status: 405, message: "Method not allowed", code: "method_not_allowed")
                : APIError(status: 404, message: "Route not found: \(method) \(path)", code: "route_not_found")
            return Self.response(SandboxReply(status: error.status, body: .json(error.json)), rateHeaders: [])
        }
        sandboxRequest.params = params

        let (latency, fault) = faults.decide(method: method, template: route.template, path: path)
        if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
        if let fault, let response = await inject(fault, context: context) { return response }

        let (reply, rateHeaders) = handle(route: route, request: &sandboxRequest)
        return Self.response(reply, rateHeaders: rateHeaders)
    }

    /// Authentication, rate limit, scope, body validation and the handler.
    private func handle(route: Route, request: inout SandboxRequest) -> (SandboxReply, [(String, String)]) {
        // 1. Who is calling.
        let rateKey: String
        let windows: [RateWindow]
        do {
            switch route.access {
            case .business, .v2:
                let caller = try authenticateBusiness(request)
                request.caller = .business(caller)
                rateKey = route.access == .v2 ? "v2:" + request.clientAddress : caller.rateKey
                windows = route.access == .v2 ? configuration.v2RateLimits : businessWindows.withLock { $0 }
            case .storefront:
                request.caller = .storefront(storeUniqueID: try authenticateStorefront(request))
                rateKey = "ip:" + request.clientAddress
                windows = configuration.storefrontRateLimits
            case .customer:
                request.caller = .customer(try authenticateCustomer(request))
                rateKey = "ip:" + request.clientAddress
                windows = configuration.storefrontRateLimits
            case .open:
                rateKey = "ip:" + request.clientAddress
                windows = configuration.storefrontRateLimits
            }
        } catch {
            // Failed authentication still counts, per client address, against the family's windows,
            // so that every answer carries rate headers and key guessing is throttled.
            let windows = route.access == .business ? businessWindows.withLock { $0 }
                : route.access == .v2 ? configuration.v2RateLimits : configuration.storefrontRateLimits
            let (limited, headers) = rateLimit(key: "anonymous:" + request.clientAddress, windows: windows, now: request.now)
            return (limited ?? errorReply(error, v2: route.access == .v2), headers)
        }

        // 2. Rate limit.
        let (limited, rateHeaders) = rateLimit(key: rateKey, windows: windows, now: request.now)
        if let limited { return (limited, rateHeaders) }

        // 3. Scope.
        if let caller = request.businessCaller, !route.scopes.isEmpty, !route.scopes.contains(where: caller.allows) {
            return (errorReply(APIError.forbidden(), v2: route.access == .v2), rateHeaders)
        }

        // 4. Body.
        do {
            try validateBody(route: route, request: &request)
        } catch {
            return (errorReply(error, v2: route.access == .v2), rateHeaders)
        }

        // 5. Handler.
        let readRequest = request
        let result: Result<(SandboxReply, [WebhookEvent], [WebhookEndpoint]), any Error> = state.withLock { state in
            do {
                let reply = try route.handler(readRequest, &state)
                let events = state.outbox
                state.outbox.removeAll()
                return .success((reply, events, state.webhookEndpoints))
            } catch {
                state.outbox.removeAll()
                return .failure(error)
            }
        }
        switch result {
        case .success(let (reply, events, endpoints)):
            if request.method != "GET" { markDirty() }
            if !events.isEmpty, !endpoints.isEmpty {
                for event in events {
                    let uniqueID = "event_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
                    webhooks.enqueue(event: event.event, data: event.data, endpoints: endpoints, uniqueID: uniqueID, timestamp: request.now)
                }
            }
            return (reply, rateHeaders)
        case .failure(let error):
            return (errorReply(error, v2: route.access == .v2), rateHeaders)
        }
    }

    /// Counts one request; the 429 reply when refused, and the rate headers.
    private func rateLimit(key: String, windows: [RateWindow], now: Double) -> (SandboxReply?, [(String, String)]) {
        guard configuration.rateLimitingEnabled, !windows.isEmpty else {
            statistics.record(key: key, limited: false, at: now)
            return (nil, [])
        }
        let decision = limiter.check(key: key, windows: windows, now: now)
        let headers = [
            ("X-Ratelimit-Limit", String(decision.limit)), ("X-Ratelimit-Remaining", String(decision.remaining)),
            ("X-Ratelimit-Reset", String(decision.reset)),
        ]
        statistics.record(key: key, limited: !decision.allowed, at: now)
        guard decision.allowed else {
            let retry = max(1, decision.reset - Int(now))
            return (SandboxReply(status: 429, body: .text("Too many requests"), headers: [("Retry-After", String(retry))]), headers)
        }
        return (nil, headers)
    }

    private func validateBody(route: Route, request: inout SandboxRequest) throws {
        let contentType = request.headers["content-type"] ?? ""
        if route.multipart || contentType.hasPrefix("multipart/") {
            let text = String(decoding: request.rawBody, as: UTF8.self)
            let missing = route.requiredFields.filter { !text.contains("name=\"\($0)\"") }
            if !missing.isEmpty { throw APIError.missing(missing) }
            return
        }
        if !request.rawBody.isEmpty {
            guard let json = JSON.parse(request.rawBody) else {
                throw APIError.badRequest("Request body is not valid JSON", code: "invalid_json")
            }
            request.json = json
        }
        guard !route.requiredFields.isEmpty else { return }
        guard let object = request.json?.objectValue else {
            if request.json != nil { throw APIError.badRequest("Request body must be a JSON object", code: "invalid_body") }
            throw APIError.missing(route.requiredFields)
        }
        let missing = route.requiredFields.filter { field in
            switch object[field] {
            case nil, .null?: return true
            case .string(let text)?: return text.isEmpty
            default: return false
            }
        }
        if !missing.isEmpty { throw APIError.missing(missing) }
    }

    private func errorReply(_ error: any Error, v2: Bool) -> SandboxReply {
        guard var apiError = error as? APIError else {
            return SandboxReply(status: 500, body: .json(["error": "Internal server error", "error_code": "server_error"]))
        }
        if v2, apiError.body == nil {
            var details: [String: JSON] = [:]
            for field in apiError.fieldErrors { details[field.field] = [.string(field.message)] }
            apiError.body = ["error": .string(apiError.message), "details": .object(details)]
        }
        return SandboxReply(status: apiError.status, body: .json(apiError.json))
    }

    // MARK: Authentication

    private func bearer(_ request: SandboxRequest) -> String? {
        guard let value = request.headers["authorization"] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    private static func keyLabel(_ key: String) -> String { String(key.prefix(7)) + "…" + String(key.suffix(4)) }

    func authenticateBusiness(_ request: SandboxRequest) throws -> BusinessCaller {
        guard let token = bearer(request) else { throw APIError.unauthorized("Missing API key") }
        return try state.withLock { state in
            if state.secretKeys.contains(token) {
                return BusinessCaller(kind: .secretKey, scopes: nil, rateKey: "key:" + Self.keyLabel(token))
            }
            if let scopes = state.restrictedKeys[token] {
                return BusinessCaller(kind: .restrictedKey, scopes: Set(scopes), rateKey: "key:" + Self.keyLabel(token))
            }
            if let grant = state.oauthAccessTokens[token] {
                if grant.expiresAt <= request.now { throw APIError.unauthorized("Access token has expired", code: "token_expired") }
                if state.oauthRevokedFamilies.contains(grant.family) {
                    throw APIError.unauthorized("Access token has been revoked", code: "token_revoked")
                }
                return BusinessCaller(
                    kind: .oauth, scopes: Set(grant.scopes), rateKey: "oauth:\(grant.clientID):\(state.business["unique_id"].textValue ?? "")",
                    clientID: grant.clientID)
            }
            throw APIError.unauthorized()
        }
    }

    private func authenticateStorefront(_ request: SandboxRequest) throws -> String {
        guard let key = request.headers["x-scalev-storefront-api-key"] else {
            throw APIError.unauthorized("Missing storefront API key", code: "missing_storefront_api_key")
        }
        return try state.withLock { state in
            guard let store = state.storefrontKeys[key] else {
                throw APIError.unauthorized("Invalid storefront API key", code: "invalid_storefront_api_key")
            }
            guard store == request.param("store_id"),
                state.stores.first(where: { $0["unique_id"].textValue == store })?["is_public"].boolValue == true
            else { throw APIError.notFound("Store") }
            return store
        }
    }

    private func authenticateCustomer(_ request: SandboxRequest) throws -> CustomerSession {
        guard let token = bearer(request) else { throw APIError.unauthorized("Authentication required", code: "not_authenticated") }
        return try state.withLock { state in
            let session = try CustomerTokens.verify(token, state: state, now: request.now)
            guard session.storeUniqueID == request.param("store_id") else {
                throw APIError.unauthorized("Token is not valid for this store", code: "invalid_token")
            }
            return session
        }
    }

    private func clientAddress(headers: [String: String], context: SandboxRequestContext) -> String {
        if let header = configuration.trustedClientAddressHeader, let value = headers[header.lowercased()], !value.isEmpty {
            return value
        }
        return context.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    // MARK: Faults

    private func inject(_ fault: FaultInjector.Fault, context: SandboxRequestContext) async -> Response? {
        switch fault {
        case .serverError:
            return Self.response(
                SandboxReply(status: 503, body: .json(["error": "Service temporarily unavailable (injected)", "error_code": "server_error"])),
                rateHeaders: [])
        case .rateLimit:
            return Self.response(SandboxReply(status: 429, body: .text("Too many requests")), rateHeaders: [
                ("X-Ratelimit-Limit", "0"), ("X-Ratelimit-Remaining", "0"), ("X-Ratelimit-Reset", String(Int(clock.now) + 1)),
            ])
        case .malformed:
            var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"data": [{"id": "#)))
            response.headers[.contentType] = "application/json"
            return response
        case .truncate:
            let full = #"{"data":[],"is_paginated":false,"padding":"\#(String(repeating: "x", count: 200))"}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json", .contentLength: String(full.utf8.count)],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: String(full.prefix(20))))
                    throw CancellationError()
                })
        case .reset:
            let channel = context.channel
            // Close the connection without answering.
            try? await channel.close()
            return Response(status: .internalServerError, body: ResponseBody { _ in throw CancellationError() })
        }
    }

    // MARK: Responses

    static func response(_ reply: SandboxReply, rateHeaders: [(String, String)]) -> Response {
        var fields = HTTPFields()
        var body = ResponseBody()
        switch reply.body {
        case .json(let value):
            fields[.contentType] = "application/json; charset=utf-8"
            body = ResponseBody(byteBuffer: ByteBuffer(bytes: value.encoded()))
        case .serializedJSON(let bytes):
            fields[.contentType] = "application/json; charset=utf-8"
            body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        case .text(let text):
            fields[.contentType] = "text/plain; charset=utf-8"
            body = ResponseBody(byteBuffer: ByteBuffer(string: text))
        case .empty:
            break
        }
        for (name, value) in rateHeaders + reply.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: HTTPResponse.Status(code: reply.status), headers: fields, body: body)
    }

    static func parseQuery(_ query: String?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(plusAsSpace(parts[0]))
            let value = parts.count > 1 ? percentDecode(plusAsSpace(parts[1])) : ""
            result[name] = value
        }
        return result
    }

    /// `+` in a query component is a space.
    private static func plusAsSpace(_ text: Substring) -> String {
        text.utf8.contains(UInt8(ascii: "+")) ? String(text).replacingOccurrences(of: "+", with: " ") : String(text)
    }

    /// `%XX` sequences decoded; text without `%` is returned as it is (without the costlier call).
    static func percentDecode(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }

    // MARK: Persistence

    func markDirty() {
        guard configuration.dataFile != nil else { return }
        dirty.withLock { $0 = true }
    }

    /// Writes the snapshot if anything changed since the last save (or always, when `force`).
    func saveIfNeeded(force: Bool = false) throws {
        guard let file = configuration.dataFile else { return }
        let needed = dirty.withLock { flag in
            defer { flag = false }
            return flag || force
        }
        guard needed else { return }
        let snapshot = state.withLock { SandboxSnapshot(state: $0, clockOffset: clock.currentOffset) }
        let data = try JSONEncoder().encode(snapshot)
        try data.write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}

/// The data file: the whole state and the clock offset.
struct SandboxSnapshot: Codable {
    var state: SandboxState
    var clockOffset: Double
}
