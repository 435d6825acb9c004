import ScalevModel

/// `GET /v3/me`: who the business credential is.
enum MeRoutes {
    static func register(_ registry: inout RouteRegistry) {
        registry.business("GET", "/v3/me") { request, state in
            guard let caller = request.businessCaller else { throw APIError.unauthorized() }
            let scopes = (caller.scopes.map { Array($0) } ?? Array(OperationScopes.all(state))).sorted().map(JSON.string)
            var application: JSON = .null
            if let clientID = caller.clientID, let client = state.oauthClients[clientID] {
                application = ["id": 1, "client_id": .string(clientID), "name": .string(client.name), "homepage_url": .null]
            }
            return .ok([
                "auth_method": caller.kind == .oauth ? "oauth" : "api_key",
                "user": ["id": 1, "unique_id": "user_sandbox", "email": "owner@example.com", "phone": .null, "fullname": "Sandbox Owner", "avatar": .null, "is_verified": true],
                "oauth_application": application,
                "connected_businesses": [
                    [
                        "unique_id": state.business["unique_id"], "username": state.business["username"], "name": state.business["name"],
                        "is_enabled": true, "scopes": .array(scopes),
                    ]
                ],
            ])
        }
    }
}

/// Scope helpers.
enum OperationScopes {
    /// Every scope the sandbox's OAuth app can request.
    static func all(_ state: SandboxState) -> Set<String> {
        Set(state.oauthClients.values.flatMap(\.availableScopes))
    }
}
