/// All routes, matched by method and path; where several templates fit, the one with literal
/// segments earliest wins (`/v3/orders/tags` before `/v3/orders/{id}`).
struct RouteTable: Sendable {
    private var routes: [String: [Int: [Route]]] = [:]
    private var shapes: Set<String> = []

    /// Adds `route` unless a route of the same method and shape exists; returns whether it was added.
    @discardableResult
    mutating func add(_ route: Route) -> Bool {
        guard shapes.insert(route.shape).inserted else { return false }
        routes[route.method, default: [:]][route.segments.count, default: []].append(route)
        return true
    }

    /// Whether a route of this method and template shape is served.
    func serves(method: String, template: String) -> Bool {
        shapes.contains(Route.shape(method: method, template: template))
    }

    var all: [Route] { routes.values.flatMap { $0.values.flatMap { $0 } } }

    /// The best route for `method` and `segments`, with its parameters.
    func match(method: String, segments: [String]) -> (Route, [String: String])? {
        guard let candidates = routes[method]?[segments.count] else { return nil }
        var best: (Route, [String: String])?
        for route in candidates {
            guard let params = route.match(segments) else { continue }
            if let current = best, !Self.moreSpecific(route, than: current.0) { continue }
            best = (route, params)
        }
        return best
    }

    /// Whether any method serves this path (to tell 405 from 404).
    func pathExists(_ segments: [String]) -> Bool {
        routes.values.contains { byCount in byCount[segments.count]?.contains { $0.match(segments) != nil } ?? false }
    }

    private static func moreSpecific(_ left: Route, than right: Route) -> Bool {
        for (a, b) in zip(left.segments, right.segments) {
            switch (a, b) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }
}
