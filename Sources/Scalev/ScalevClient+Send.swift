import Foundation

extension ScalevClient {
    /// Sends one request: signs it, paces every attempt, retries what is safe to retry and
    /// returns a 2xx answer; any other outcome throws a ``ScalevError``.
    ///
    /// Reads and `PUT`/`PATCH`/`DELETE` are retried after connection errors, 408, 429 and 5xx.
    /// `POST /v3/orders` gets a request id in `metadata.lunas_request_id` and, after an
    /// ambiguous failure, is looked up among the customer's recent orders before it is sent
    /// again. Other `POST`s are not repeated after an ambiguous failure (the error says so).
    /// In a dry run, writes are not sent (see ``isRead(method:path:)``). Every attempt is counted
    /// by the context's ``RequestContext/calls``; one past its cap throws ``CallLimitExceeded``
    /// instead of being sent.
    public func send(_ request: ScalevRequest, context: RequestContext) async throws -> ScalevResponse {
        guard request.path.hasPrefix("/v3/") || request.path.hasPrefix("/v2/"), !request.path.contains("?") else {
            throw ScalevError(
                status: nil, code: "invalid_request", message: "the path must start with /v3/ or /v2/ and carry no query (use query)",
                retryable: false, method: request.method, path: request.path)
        }
        if context.dryRun, !Self.isRead(method: request.method, path: request.path) {
            return dryRunAnswer(request, context: context)
        }
        if request.method == "POST", Self.trimmed(request.path) == "/v3/orders" {
            return try await createOrder(request, context: context)
        }
        return try await exchange(request, context: context, repeatable: Self.isRepeatable(method: request.method, path: request.path))
    }

    /// A path without a trailing slash.
    static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The attempt loop.
    ///
    /// - Parameters:
    ///   - repeatable: whether the request may be sent again after an ambiguous failure.
    ///   - lookUp: for a write that is not repeatable blindly: after an ambiguous failure (and a
    ///     backoff), answers the response that shows the write was applied, or `nil` to send again.
    func exchange(
        _ request: ScalevRequest, context: RequestContext, repeatable: Bool,
        lookUp: (@Sendable () async throws -> ScalevResponse?)? = nil
    ) async throws -> ScalevResponse {
        var mayHaveApplied = false
        do {
            return try await attempts(request, context: context, repeatable: repeatable, lookUp: lookUp, mayHaveApplied: &mayHaveApplied)
        } catch var error as ScalevError {
            if mayHaveApplied { error.ambiguous = true }
            throw error
        }
    }

    /// The attempts of ``exchange(_:context:repeatable:lookUp:)``; `mayHaveApplied` is set while
    /// a write's attempt may have been applied (a 5xx, or no answer after it may have been sent)
    /// and no look-up has shown it was not.
    private func attempts(
        _ request: ScalevRequest, context: RequestContext, repeatable: Bool,
        lookUp: (@Sendable () async throws -> ScalevResponse?)?, mayHaveApplied: inout Bool
    ) async throws -> ScalevResponse {
        let writes = !Self.isRead(method: request.method, path: request.path)
        let key = budgetKey(for: request.path)
        let body = request.body?.encoded()
        let maxAttempts = configuration.maxAttempts
        var attempt = 0
        var refreshed = false
        var last: ScalevError?
        while true {
            attempt += 1
            try checkDeadline(request, context: context, last: last)
            try context.calls?.take()
            let signed: Signature
            var ticket: PacerTicket?
            let timeout: Duration
            do {
                signed = try await sign(request)
                if let pacer { ticket = try await admit(pacer, key, request, context: context) }
                timeout = try attemptTimeout(request, context: context, last: last)
            } catch {
                // nothing was sent
                context.calls?.refund()
                await settle(ticket, key, context: context, status: nil, headers: [])
                throw error
            }
            let query = Self.encodeQuery(request.query + signed.query)
            let url = configuration.origin(for: request.path) + request.path + (query.isEmpty ? "" : "?" + query)
            trace("scalev → \(request.method) \(request.path)\(query.isEmpty ? "" : "?" + query) [\(context.script), attempt \(attempt)/\(maxAttempts)]", context)
            let started = ContinuousClock.now
            let result = await transport.perform(url: url, method: request.method, headers: signed.headers, body: body, timeout: timeout)
            let elapsed = ContinuousClock.now - started
            let error: ScalevError
            var delay: Duration
            switch result {
            case .success(let answer):
                await settle(ticket, key, context: context, status: answer.status, headers: answer.headers)
                keepGuestToken(answer)
                trace("scalev ← \(answer.status) \(request.method) \(request.path) (\(answer.body.count) bytes, \(Transport.format(elapsed)))", context)
                if (200...299).contains(answer.status) {
                    return ScalevResponse(status: answer.status, headers: answer.headers, body: answer.body)
                }
                var failure = ScalevError(status: answer.status, body: answer.body, method: request.method, path: request.path)
                failure.message = redact(failure.message)
                if answer.status == 401, let tokens, let used = signed.token, !refreshed {
                    refreshed = true
                    attempt -= 1
                    trace("scalev ↻ 401 on \(request.method) \(request.path): refreshing the tokens once", context)
                    do {
                        try await tokens.refresh(after: used)
                    } catch var refreshError as ScalevError {
                        refreshError.method = request.method
                        refreshError.path = request.path
                        throw refreshError
                    }
                    continue
                }
                guard failure.retryable else { throw failure }
                error = failure
                if answer.status == 429 {
                    delay = try rateLimitDelay(answer, error: failure, context: context)
                } else {
                    delay = backoff(attempt)
                }
                if (500...599).contains(answer.status), writes { mayHaveApplied = true }
                if (500...599).contains(answer.status), !repeatable {
                    if let found = try await afterAmbiguous(request, error: failure, attempt: attempt, delay: delay, context: context, lookUp: lookUp, last: &last) {
                        return found
                    }
                    mayHaveApplied = false // the look-up found it was not applied
                    continue
                }
            case .failure(let failure):
                await settle(ticket, key, context: context, status: nil, headers: [])
                if failure.kind == .cancelled { throw CancellationError() }
                let transportError = ScalevError(
                    status: nil, code: failure.kind == .timeout ? "timeout" : "connection_error", message: redact(failure.message),
                    retryable: true, method: request.method, path: request.path)
                trace("scalev ✗ \(request.method) \(request.path): \(transportError.message) (\(Transport.format(elapsed)))", context)
                error = transportError
                delay = backoff(attempt)
                if !failure.certainlyNotSent, writes { mayHaveApplied = true }
                if !failure.certainlyNotSent, !repeatable {
                    if let found = try await afterAmbiguous(request, error: transportError, attempt: attempt, delay: delay, context: context, lookUp: lookUp, last: &last) {
                        return found
                    }
                    mayHaveApplied = false // the look-up found it was not applied
                    continue
                }
            }
            last = error
            guard attempt < maxAttempts else {
                var final = error
                final.message += " (after \(attempt) attempts)"
                throw final
            }
            try await pause(delay, request, context: context, last: error)
        }
    }

    /// After an ambiguous failure of a write that must not be repeated blindly: without a
    /// look-up, throws; with one, waits, looks, and returns what was found (or `nil` after
    /// which the caller sends again; the failure is kept in `last`).
    private func afterAmbiguous(
        _ request: ScalevRequest, error: ScalevError, attempt: Int, delay: Duration, context: RequestContext,
        lookUp: (@Sendable () async throws -> ScalevResponse?)?, last: inout ScalevError?
    ) async throws -> ScalevResponse? {
        guard let lookUp else {
            throw ScalevError(
                status: error.status, code: "ambiguous_write",
                message: "\(error.message); the request may or may not have been applied, so it was not sent again — check before repeating it",
                errors: error.errors, retryable: false, ambiguous: true, method: request.method, path: request.path)
        }
        last = error
        guard attempt < configuration.maxAttempts else {
            throw ScalevError(
                status: error.status, code: "ambiguous_write",
                message: "\(error.message) (after \(attempt) attempts); the last attempt may or may not have been applied",
                retryable: false, ambiguous: true, method: request.method, path: request.path)
        }
        try await pause(delay, request, context: context, last: error)
        trace("scalev ? \(request.method) \(request.path) failed ambiguously (\(error.message)); looking for it before sending again", context)
        do {
            if let found = try await lookUp() { return found }
        } catch let lookUpError as ScalevError {
            throw ScalevError(
                status: error.status, code: "ambiguous_write",
                message: "\(error.message); it may or may not have been applied and looking it up failed (\(lookUpError.message)), so it was not sent again",
                retryable: false, ambiguous: true, method: request.method, path: request.path)
        }
        trace("scalev ↻ \(request.method) \(request.path) was not applied; sending it again", context)
        return nil
    }

    /// Credential headers, extra query (`b_uid`) and the bearer token used (to refresh after a 401).
    typealias Signature = (headers: [(String, String)], query: [(String, String)], token: String?)

    /// The ``Signature`` of `request`.
    func sign(_ request: ScalevRequest) async throws -> Signature {
        let reserved: Set = ["authorization", "x-scalev-storefront-api-key", "x-scalev-guest-token", "content-type", "accept"]
        var headers = request.headers.filter { !reserved.contains($0.0.lowercased()) }
        var query: [(String, String)] = []
        var token: String?
        switch credential {
        case .apiKey(let key):
            headers.append(("Authorization", "Bearer \(key)"))
        case .oauth(let installation):
            token = try await accessToken(for: request)
            headers.append(("Authorization", "Bearer \(token ?? "")"))
            if let business = installation.businessID, request.path.hasPrefix("/v3/"), !request.path.hasPrefix("/v3/oauth/"),
               request.queryValue("b_uid") == nil {
                query.append(("b_uid", business))
            }
        case .storefront(let publishableKey, _):
            headers.append(("X-Scalev-Storefront-Api-Key", publishableKey))
            if let guest = guestToken.withLock({ $0 }), request.path.contains("/public/cart") || request.path.contains("/public/checkout") {
                headers.append(("X-Scalev-Guest-Token", guest))
            }
        case .customer(let session):
            token = try await accessToken(for: request)
            headers.append(("Authorization", "Bearer \(token ?? "")"))
            headers.append(("X-Scalev-Storefront-Api-Key", session.publishableKey))
        }
        return (headers, query, token)
    }

    private func accessToken(for request: ScalevRequest) async throws -> String? {
        guard let tokens else { return nil }
        do {
            return try await tokens.accessToken()
        } catch var error as ScalevError {
            error.method = request.method
            error.path = request.path
            throw error
        }
    }

    private func keepGuestToken(_ answer: RawAnswer) {
        guard case .storefront = credential, let token = answer.header("X-Scalev-Guest-Token"), !token.isEmpty else { return }
        secretList.add(token)
        guestToken.withLock { $0 = token }
    }

    // MARK: Time

    private func checkDeadline(_ request: ScalevRequest, context: RequestContext, last: ScalevError?) throws {
        guard let deadline = context.deadline, ContinuousClock.now >= deadline else { return }
        throw deadlineError(request, last: last, detail: "the run's deadline passed before the request could be sent")
    }

    private func attemptTimeout(_ request: ScalevRequest, context: RequestContext, last: ScalevError?) throws -> Duration {
        let timeout = request.timeout ?? configuration.requestTimeout
        guard let deadline = context.deadline else { return timeout }
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
            throw deadlineError(request, last: last, detail: "the run's deadline passed before the request could be sent")
        }
        return min(timeout, remaining)
    }

    /// Tells the pacer how an admitted attempt ended: its answer, or none.
    private func settle(_ ticket: PacerTicket?, _ key: BudgetKey, context: RequestContext, status: Int?, headers: [(String, String)]) async {
        guard let pacer, let ticket else { return }
        await pacer.observe(key, script: context.script, ticket: ticket, status: status, headers: headers)
    }

    /// The pacer's admission; its refusals (other than cancellation) become a ``ScalevError``
    /// with code `rate_budget`.
    private func admit(_ pacer: any RequestPacer, _ key: BudgetKey, _ request: ScalevRequest, context: RequestContext) async throws -> PacerTicket {
        let started = ContinuousClock.now
        defer { context.calls?.addBudgetWait(ContinuousClock.now - started) }
        do {
            return try await pacer.admit(key, script: context.script, deadline: context.deadline)
        } catch let error as ScalevError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ScalevError(
                status: nil, code: "rate_budget", message: redact("the rate budget did not admit the request: \(error)"), retryable: false,
                method: request.method, path: request.path)
        }
    }

    private func pause(_ delay: Duration, _ request: ScalevRequest, context: RequestContext, last: ScalevError) async throws {
        if let deadline = context.deadline, ContinuousClock.now + delay >= deadline {
            throw deadlineError(request, last: last, detail: "not retried: the next attempt (in \(Transport.format(delay))) could not start before the run's deadline")
        }
        trace("scalev ↻ retry \(request.method) \(request.path) in \(Transport.format(delay)) after \(last.status.map(String.init) ?? (last.code ?? "failure"))", context)
        if delay > .zero { try await Task.sleep(for: delay) }
    }

    private func deadlineError(_ request: ScalevRequest, last: ScalevError?, detail: String) -> ScalevError {
        var message = detail
        if let last { message += "; last failure: \(last.status.map { "\($0) " } ?? "")\(last.message)" }
        return ScalevError(status: last?.status, code: "deadline_exceeded", message: message, retryable: false, method: request.method, path: request.path)
    }

    /// Full jitter: a random wait between zero and `base * 2^(attempt-1)`, capped.
    func backoff(_ attempt: Int) -> Duration {
        let ceiling = min(configuration.backoffCap.seconds, configuration.backoffBase.seconds * pow(2, Double(max(0, attempt - 1))))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int64((Double.random(in: 0...ceiling) * 1000).rounded()))
    }

    /// The wait after a 429: until `X-Ratelimit-Reset` (epoch seconds) or `Retry-After`. With a
    /// pacer the wait happens in its `admit` (it observed the 429), so none is added here.
    private func rateLimitDelay(_ answer: RawAnswer, error: ScalevError, context: RequestContext) throws -> Duration {
        var wait: Double?
        if let reset = answer.header("X-Ratelimit-Reset").flatMap(Double.init) {
            wait = max(0, reset - Date().timeIntervalSince1970)
        } else if let after = answer.header("Retry-After").flatMap(Double.init) {
            wait = max(0, after)
        }
        guard let wait else { return backoff(1) }
        let duration = Duration.milliseconds(Int64((wait * 1000).rounded()))
        if duration > configuration.maxRateLimitWait {
            throw ScalevError(
                status: 429, code: error.code, message: "\(error.message); the rate limit resets in \(Transport.format(duration)), longer than the client waits",
                retryable: true, method: error.method, path: error.path)
        }
        if let deadline = context.deadline, ContinuousClock.now + duration >= deadline {
            throw ScalevError(
                status: 429, code: "deadline_exceeded",
                message: "rate limited; the limit resets in \(Transport.format(duration)), after the run's deadline", retryable: false,
                method: error.method, path: error.path)
        }
        return pacer == nil ? duration : .zero
    }

    // MARK: Query

    static let unreserved: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func encodeQuery(_ items: [(String, String)]) -> String {
        items.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? name) + "=" + (value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)
        }.joined(separator: "&")
    }
}
