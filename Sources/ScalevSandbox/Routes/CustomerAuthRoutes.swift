/// Storefront customer auth under `/v3/stores/{store_id}/public/auth`: password login (with an
/// OTP step for stores that require it), OTP verify, refresh with single-use rotating refresh
/// tokens (reusing a rotated one revokes the whole family), logout, password reset.
enum CustomerAuthRoutes {
    static func register(_ registry: inout RouteRegistry) {
        registry.storefront("POST", "/auth/login", required: ["email", "password"]) { request, state in
            let store = request.param("store_id")
            let email = (request.body("email").textValue ?? "").lowercased()
            let loginAs = request.body("login_as").textValue ?? "customer"
            guard ["customer", "owner"].contains(loginAs) else { throw APIError.badRequest("login_as must be customer or owner", code: "invalid_login_as") }
            guard let account = state.accounts[store + "|" + email], account.password == request.body("password").textValue else {
                throw APIError.unauthorized("Invalid email or password", code: "invalid_credentials")
            }
            if state.store(store)?["is_customer_otp_required"].boolValue == true {
                state.pendingOTPs[store + "|" + email] = state.secrets.string(6, alphabet: "0123456789")
                return .ok(["message": "An OTP has been sent to your email"])
            }
            let family = state.random.uuidV4()
            return .ok(CustomerTokens.issue(state: &state, customerID: account.customerID, store: store, family: family, now: request.now))
        }
        registry.storefront("POST", "/auth/otp/verify", required: ["email", "otp"]) { request, state in
            let store = request.param("store_id")
            let key = store + "|" + (request.body("email").textValue ?? "").lowercased()
            guard let expected = state.pendingOTPs[key], let account = state.accounts[key] else {
                throw APIError.badRequest("No OTP is pending for this email", code: "otp_not_requested")
            }
            guard request.body("otp").textValue == expected else { throw APIError.unauthorized("Invalid OTP", code: "invalid_otp") }
            state.pendingOTPs[key] = nil
            let family = state.random.uuidV4()
            return .ok(CustomerTokens.issue(state: &state, customerID: account.customerID, store: store, family: family, now: request.now))
        }
        registry.storefront("POST", "/auth/jwt/refresh", required: ["refresh"]) { request, state in
            let token = request.body("refresh").textValue ?? ""
            guard var record = state.refreshTokens[token], record.storeUniqueID == request.param("store_id") else {
                throw APIError.unauthorized("Invalid refresh token", code: "invalid_token")
            }
            if state.revokedFamilies.contains(record.family) {
                throw APIError.unauthorized("Refresh token has been revoked", code: "token_revoked")
            }
            if record.used {
                // A rotated token came back: assume theft and end every session of the family.
                state.revokedFamilies.insert(record.family)
                throw APIError.unauthorized("Refresh token was already used; all sessions of this login are revoked", code: "token_reused")
            }
            if record.expiresAt <= request.now { throw APIError.unauthorized("Refresh token has expired", code: "token_expired") }
            record.used = true
            state.refreshTokens[token] = record
            return .ok(CustomerTokens.issue(state: &state, customerID: record.customerID, store: record.storeUniqueID, family: record.family, now: request.now))
        }
        registry.storefront("POST", "/auth/jwt/blacklist", required: ["tokens"]) { request, state in
            for token in request.body("tokens").stringList {
                if let record = state.refreshTokens[token] {
                    state.revokedFamilies.insert(record.family)
                } else {
                    state.blacklistedAccess.insert(token)
                }
            }
            return .noContent
        }
        registry.storefront("POST", "/auth/forget-password", required: ["email"]) { _, _ in .noContent }
        registry.storefront("POST", "/auth/save-password", required: ["token", "password"]) { _, _ in
            throw APIError.notFound("Reset token")
        }
    }
}
