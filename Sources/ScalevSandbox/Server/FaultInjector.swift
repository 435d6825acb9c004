import ScalevModel
import Synchronization

/// Configurable misbehaviour, off until a rule is added: latency, 5xx answers, connection resets,
/// truncated or malformed bodies and 429 storms, per route or for all routes.
final class FaultInjector: Sendable {
    /// One rule. `route` is `*`, a template such as `GET /v3/orders/{id}`, or a path prefix `/v3/orders`.
    struct Rule: Sendable {
        var id: Int
        var route: String
        var latencyMilliseconds: Int
        /// With it, each request's latency is drawn uniformly from `latencyMilliseconds...` this.
        var latencyMaxMilliseconds: Int?
        var errorRate: Double
        var resetRate: Double
        var truncateRate: Double
        var malformedRate: Double
        var rateLimitRate: Double
        /// Requests left this rule applies to; `nil` = unlimited.
        var remaining: Int?

        init(id: Int, json: JSON) {
            self.id = id
            route = json["route"].textValue ?? "*"
            let latency = min(max(0, json["latency_ms"].intValue ?? 0), 600_000)
            latencyMilliseconds = latency
            latencyMaxMilliseconds = json["latency_max_ms"].intValue.map { min(max($0, latency), 600_000) }
            errorRate = json["error_rate"].doubleValue ?? 0
            resetRate = json["reset_rate"].doubleValue ?? 0
            truncateRate = json["truncate_rate"].doubleValue ?? 0
            malformedRate = json["malformed_rate"].doubleValue ?? 0
            rateLimitRate = json["rate_limit_rate"].doubleValue ?? 0
            remaining = json["count"].intValue
        }

        var json: JSON {
            [
                "id": .int(id), "route": .string(route), "latency_ms": .int(latencyMilliseconds),
                "latency_max_ms": latencyMaxMilliseconds.map(JSON.int) ?? .null, "error_rate": .double(errorRate),
                "reset_rate": .double(resetRate), "truncate_rate": .double(truncateRate), "malformed_rate": .double(malformedRate),
                "rate_limit_rate": .double(rateLimitRate), "count": remaining.map(JSON.int) ?? .null,
            ]
        }

        func applies(method: String, template: String, path: String) -> Bool {
            if route == "*" { return true }
            if route.contains(" ") { return route == "\(method) \(template)" || route == "\(method) \(path)" }
            return path.hasPrefix(route)
        }
    }

    /// What to do to one request.
    enum Fault: Sendable {
        case serverError, reset, truncate, malformed, rateLimit
    }

    private struct Store {
        var rules: [Rule] = []
        var nextID = 1
        var random = SeededGenerator(seed: 7)
    }

    private let store = Mutex(Store())

    func add(_ json: JSON) -> Rule {
        store.withLock { store in
            let rule = Rule(id: store.nextID, json: json)
            store.nextID += 1
            store.rules.append(rule)
            return rule
        }
    }

    var rules: [Rule] { store.withLock { $0.rules } }

    func remove(id: Int) -> Bool {
        store.withLock { store in
            let before = store.rules.count
            store.rules.removeAll { $0.id == id }
            return store.rules.count != before
        }
    }

    func clear() { store.withLock { $0.rules.removeAll() } }

    /// The latency to add and the fault to inject (if any) for one request.
    func decide(method: String, template: String, path: String) -> (latency: Int, fault: Fault?) {
        store.withLock { store in
            guard !store.rules.isEmpty else { return (0, nil) }
            var latency = 0
            var fault: Fault?
            for index in store.rules.indices where store.rules[index].applies(method: method, template: template, path: path) {
                if let remaining = store.rules[index].remaining, remaining <= 0 { continue }
                let rule = store.rules[index]
                var drawn = rule.latencyMilliseconds
                if let most = rule.latencyMaxMilliseconds, most > drawn {
                    drawn += Int(store.random.next() % UInt64(most - drawn + 1))
                }
                latency = max(latency, drawn)
                let draws: [(Double, Fault)] = [
                    (rule.resetRate, .reset), (rule.truncateRate, .truncate), (rule.malformedRate, .malformed),
                    (rule.errorRate, .serverError), (rule.rateLimitRate, .rateLimit),
                ]
                for (rate, candidate) in draws where fault == nil && rate > 0 {
                    let roll = Double(store.random.next() % 1_000_000) / 1_000_000
                    if roll < rate { fault = candidate }
                }
                if let remaining = rule.remaining { store.rules[index].remaining = remaining - 1 }
            }
            return (latency, fault)
        }
    }
}
