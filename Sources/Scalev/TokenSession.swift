import Foundation

/// The rotating token pair of one OAuth installation or customer session, as this client sees
/// it: cached in memory, loaded from the vault, refreshed before expiry and after a 401.
///
/// A refresh runs under the vault's cross-process lock. Inside the lock the vault is read again:
/// when it already holds a newer pair than the one this client used (another process refreshed),
/// that pair is taken instead of refreshing — presenting a rotated refresh token would revoke
/// the whole family.
actor TokenSession {
    enum Kind: Sendable {
        case oauth(OAuthInstallation)
        case customer(CustomerSession)

        var vaultName: String {
            switch self {
            case .oauth(let installation): installation.vaultName
            case .customer(let session): session.vaultName
            }
        }

        var label: String {
            switch self {
            case .oauth(let installation): "OAuth installation '\(installation.vaultName)'"
            case .customer(let session): "customer session '\(session.vaultName)'"
            }
        }
    }

    /// How long a refresh may hold the vault's lock, and how long another process waits for it.
    static let refreshLease = Duration.seconds(60)

    let kind: Kind
    let vault: (any TokenVault)?
    let endpoint: TokenEndpoint
    let margin: Duration
    let secrets: SecretList
    private var current: TokenPair?
    private var refreshing: Task<TokenPair, any Error>?

    init(kind: Kind, vault: (any TokenVault)?, endpoint: TokenEndpoint, margin: Duration, secrets: SecretList) {
        self.kind = kind
        self.vault = vault
        self.endpoint = endpoint
        self.margin = margin
        self.secrets = secrets
    }

    /// A valid access token, refreshed first when it expires within the margin.
    func accessToken() async throws -> String {
        let pair = try await loaded()
        if pair.expires(within: margin) { return try await refresh(stale: pair).access }
        return pair.access
    }

    /// Called after a 401 answered `used`: refreshes unless a newer token is already known.
    func refresh(after used: String) async throws {
        let pair = try await loaded()
        guard pair.access == used else { return }
        _ = try await refresh(stale: pair)
    }

    private func loaded() async throws -> TokenPair {
        if let current { return current }
        let vault = try requireVault()
        let data: Data?
        do {
            data = try await vault.secret(kind.vaultName)
        } catch {
            throw unavailable("cannot read the vault entry '\(kind.vaultName)' (\(error))")
        }
        guard let data, let pair = TokenPair(stored: data) else {
            throw unavailable("the vault has no tokens for the \(kind.label); sign in first (lunas auth)")
        }
        current = pair
        secrets.add(pair.access, pair.refresh)
        return pair
    }

    private func refresh(stale: TokenPair) async throws -> TokenPair {
        if let refreshing { return try await refreshing.value }
        let vault = try requireVault()
        let task = Task { [kind, endpoint, margin, secrets] in
            try await Self.rotate(kind: kind, stale: stale, vault: vault, endpoint: endpoint, margin: margin, secrets: secrets)
        }
        refreshing = task
        defer { refreshing = nil }
        let pair = try await task.value
        current = pair
        secrets.add(pair.access, pair.refresh)
        return pair
    }

    private static func rotate(
        kind: Kind, stale: TokenPair, vault: any TokenVault, endpoint: TokenEndpoint, margin: Duration, secrets: SecretList
    ) async throws -> TokenPair {
        let data = try await vault.withRefreshLock(kind.vaultName, lease: refreshLease, wait: refreshLease) { stored in
            guard let stored, let pair = TokenPair(stored: stored) else {
                throw ScalevError(
                    status: nil, code: "credential_unavailable", message: "the vault has no tokens for the \(kind.label); sign in again",
                    retryable: false, method: "POST", path: "(token refresh)")
            }
            secrets.add(pair.access, pair.refresh)
            // Another process already rotated the pair: take its tokens, do not refresh again.
            if pair.refresh != stale.refresh, !pair.expires(within: margin) { return stored }
            let fresh: TokenPair
            do {
                switch kind {
                case .oauth(let installation): fresh = try await endpoint.refreshOAuth(pair.refresh, installation: installation, secrets: secrets)
                case .customer(let session): fresh = try await endpoint.refreshCustomer(pair.refresh, session: session, secrets: secrets)
                }
            } catch var error as ScalevError {
                if error.status != nil {
                    error.message = "refreshing the tokens of the \(kind.label) failed: \(error.message); sign in again"
                    error.code = error.code ?? "refresh_failed"
                }
                throw error
            }
            secrets.add(fresh.access, fresh.refresh)
            return fresh.stored
        }
        guard let pair = TokenPair(stored: data) else {
            throw ScalevError(status: nil, code: "credential_unavailable", message: "the vault entry '\(kind.vaultName)' is not a token pair", retryable: false, method: "POST", path: "(token refresh)")
        }
        return pair
    }

    private func requireVault() throws -> any TokenVault {
        guard let vault else { throw unavailable("the \(kind.label) needs a credential vault; pass one to ScalevClient") }
        return vault
    }

    private func unavailable(_ message: String) -> ScalevError {
        ScalevError(status: nil, code: "credential_unavailable", message: message, retryable: false, method: "-", path: "-")
    }
}
