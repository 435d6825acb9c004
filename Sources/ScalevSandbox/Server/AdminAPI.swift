import Foundation
import ScalevModel

/// The admin API under `/_sandbox/`: clock, faults, webhooks, keys, limits, reset and statistics.
/// It needs no credential and is never rate limited.
extension SandboxEngine {
    /// The longest one clock advance may be (100 years): times stay far inside what they convert to.
    static let maxClockAdvance: Double = 3_153_600_000
    /// The most latency a fault rule may add (10 minutes).
    static let maxLatencyMilliseconds = 600_000
    /// The most orders a reset may seed.
    static let maxSeededOrders = 100_000

    func admin(_ request: SandboxRequest) async -> SandboxReply {
        do {
            return try await adminRoute(request)
        } catch let error as APIError {
            return SandboxReply(status: error.status, body: .json(error.json))
        } catch {
            return SandboxReply(status: 500, body: .json(["error": .string("\(error)"), "error_code": "server_error"]))
        }
    }

    private func adminRoute(_ incoming: SandboxRequest) async throws -> SandboxReply {
        var request = incoming
        if !request.rawBody.isEmpty {
            guard let json = JSON.parse(request.rawBody) else { throw APIError.badRequest("Body is not JSON", code: "invalid_json") }
            request.json = json
        }
        let route = request.method + " /" + request.segments.dropFirst().joined(separator: "/")
        switch route {
        case "GET /health":
            return .ok(["ok": true])
        case "GET /credentials":
            return .ok(credentialsJSON())
        case "GET /clock":
            return .ok(clockJSON())
        case "POST /clock/advance":
            guard let seconds = request.body("seconds").doubleValue, seconds >= 0, seconds <= Self.maxClockAdvance else {
                throw APIError.invalid("seconds", "must be a number between 0 and \(Int(Self.maxClockAdvance))")
            }
            clock.advance(by: seconds)
            return .ok(clockJSON())
        case "POST /clock/set":
            guard let time = request.body("time").textValue.flatMap(Timestamp.parse) else { throw APIError.invalid("time", "must be an ISO 8601 time") }
            clock.set(to: time)
            return .ok(clockJSON())
        case "GET /faults":
            return .list(faults.rules.map(\.json))
        case "POST /faults":
            let latency = request.body("latency_ms")
            if !latency.isNull { _ = try RequestNumbers.integer(latency, "latency_ms", in: 0...Self.maxLatencyMilliseconds) }
            return .created(faults.add(request.json ?? [:]).json)
        case "DELETE /faults":
            faults.clear()
            return .noContent
        case "GET /webhooks":
            return .list(state.withLock { $0.webhookEndpoints }.map { ["id": .int($0.id), "url": .string($0.url), "secret": .string($0.secret)] })
        case "POST /webhooks":
            return try await registerWebhook(request)
        case "GET /webhooks/deliveries":
            return .ok(["data": .array(webhooks.deliveries.map(\.json)), "pending": .int(webhooks.pendingCount)])
        case "POST /reset":
            let seed = request.body("seed").isNull ? configuration.seed : UInt64(try RequestNumbers.integer(request.body("seed"), "seed", in: 0...Int.max))
            let orders = request.body("orders").isNull
                ? configuration.seededOrderCount : try RequestNumbers.integer(request.body("orders"), "orders", in: 0...Self.maxSeededOrders)
            // the secrets drawn here are replaced by the started sandbox's: a reset keeps the keys
            var fresh = SandboxSeed.make(
                seed: seed, orderCount: orders, scopes: catalog.allScopes, anchor: configuration.seedAnchor(now: clock.now),
                secrets: SecretGenerator(seed: nil))
            state.withLock { state in
                let base = state.publicBase
                let endpoints = request.body("keep_webhooks").boolValue == false ? [] : state.webhookEndpoints
                fresh.secrets = state.secrets
                fresh.installSecrets(of: state.credentials)
                state = fresh
                state.rebase(to: base)
                state.webhookEndpoints = endpoints
            }
            limiter.reset()
            statistics.reset()
            faults.clear()
            webhooks.clearLog()
            markDirty()
            return .ok(credentialsJSON())
        case "GET /stats":
            return .ok(["credentials": statistics.json])
        case "GET /stats/served":
            return .ok(["credentials": statistics.servedTimes])
        case "POST /keys":
            let scopes = request.body("scopes").stringList
            let key = state.withLock { state -> String in
                let key = "rk_" + state.secrets.string(32)
                state.restrictedKeys[key] = scopes
                return key
            }
            markDirty()
            return .created(["key": .string(key), "scopes": .array(scopes.map(JSON.string))])
        case "GET /rate-limits":
            return .ok(rateLimitsJSON())
        case "PUT /rate-limits":
            guard let spec = request.body("business").textValue, let windows = try? RateWindow.list(parsing: spec) else {
                throw APIError.invalid("business", "must be a list such as 20/2s,200/20s")
            }
            businessWindows.withLock { $0 = windows }
            limiter.reset()
            return .ok(rateLimitsJSON())
        case "GET /otp":
            let email = request.query["email"] ?? ""
            let store = request.query["store_id"] ?? ""
            guard let code = state.withLock({ $0.pendingOTPs[store + "|" + email] }) else { throw APIError.notFound("OTP") }
            return .ok(["otp": .string(code)])
        case "POST /save":
            try saveIfNeeded(force: true)
            return .ok(["saved": .bool(configuration.dataFile != nil)])
        default:
            if request.method == "DELETE", request.segments.count == 3, let id = Int(request.segments[2]) {
                if request.segments[1] == "faults" {
                    guard faults.remove(id: id) else { throw APIError.notFound("Fault rule") }
                    return .noContent
                }
                if request.segments[1] == "webhooks" {
                    let removed = state.withLock { state in
                        let before = state.webhookEndpoints.count
                        state.webhookEndpoints.removeAll { $0.id == id }
                        return before != state.webhookEndpoints.count
                    }
                    guard removed else { throw APIError.notFound("Webhook endpoint") }
                    markDirty()
                    return .noContent
                }
            }
            throw APIError(status: 404, message: "Unknown admin route \(route)", code: "route_not_found")
        }
    }

    /// Saves an endpoint after it answers the `business.test_event` with HTTP 200, as Scalev does.
    private func registerWebhook(_ request: SandboxRequest) async throws -> SandboxReply {
        guard let url = request.body("url").textValue, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw APIError.invalid("url", "must be an http(s) URL")
        }
        let (secret, uniqueID) = state.withLock { state in
            (request.body("secret").textValue ?? state.credentials.webhookSecret, "event_" + state.random.string(24))
        }
        let body = WebhookDispatcher.envelope(event: "business.test_event", uniqueID: uniqueID, timestamp: clock.now, data: [:]).encoded()
        let status = await webhooks.send(url: url, secret: secret, body: body)
        guard status == 200 else {
            throw APIError.unprocessable(
                "The endpoint answered the test event with \(status.map(String.init) ?? "no response"); webhook not saved",
                code: "webhook_test_failed")
        }
        let endpoint = state.withLock { state in
            let endpoint = WebhookEndpoint(id: state.number(), url: url, secret: secret)
            state.webhookEndpoints.append(endpoint)
            return endpoint
        }
        markDirty()
        return .created(["id": .int(endpoint.id), "url": .string(url), "secret": .string(secret)])
    }

    func credentialsJSON() -> JSON {
        state.withLock { state in
            let credentials = state.credentials
            return [
                "base_url": .string(state.publicBase), "business_key": .string(credentials.businessKey),
                "restricted_key": .string(credentials.restrictedKey), "storefront_key": .string(credentials.storefrontKey),
                "store_unique_id": .string(credentials.storeUniqueID), "customer_email": .string(credentials.customerEmail),
                "customer_password": .string(credentials.customerPassword), "webhook_secret": .string(credentials.webhookSecret),
                "oauth_client_id": .string(credentials.oauthClientID), "oauth_client_secret": .string(credentials.oauthClientSecret),
                "oauth_redirect_uri": .string(credentials.oauthRedirectURI), "otp_store_unique_id": .string(credentials.otpStoreUniqueID),
                "otp_storefront_key": .string(credentials.otpStorefrontKey), "otp_customer_email": .string(credentials.otpCustomerEmail),
            ]
        }
    }

    private func clockJSON() -> JSON {
        let now = clock.now
        return ["now": .string(Timestamp.format(now)), "epoch": .double(now), "offset_seconds": .double(clock.currentOffset)]
    }

    private func rateLimitsJSON() -> JSON {
        [
            "enabled": .bool(configuration.rateLimitingEnabled),
            "business": .string(businessWindows.withLock { $0 }.map(\.description).joined(separator: ",")),
            "storefront": .string(configuration.storefrontRateLimits.map(\.description).joined(separator: ",")),
            "v2": .string(configuration.v2RateLimits.map(\.description).joined(separator: ",")),
        ]
    }
}
