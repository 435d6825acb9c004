import Foundation
import Scalev

/// The token vault of `sandbox-customer` in runs against a local sandbox: the seeded customer is
/// signed in on the first read of the tokens, so that runs which never act as the customer send
/// no login.
actor SandboxCustomerVault: TokenVault {
    private let tokens = MemoryTokenVault()
    private let signIn: @Sendable (any TokenVault) async throws -> Void
    private var signingIn: Task<Void, any Error>?

    /// A vault whose tokens `signIn` saves into it when first needed.
    init(signIn: @escaping @Sendable (any TokenVault) async throws -> Void) {
        self.signIn = signIn
    }

    private func signedIn() async throws {
        let task = signingIn ?? Task { [tokens, signIn] in try await signIn(tokens) }
        signingIn = task
        try await task.value
    }

    func secret(_ name: String) async throws -> Data? {
        try await signedIn()
        return await tokens.secret(name)
    }

    func save(_ name: String, secret: Data) async throws { await tokens.save(name, secret: secret) }

    func delete(_ name: String) async throws -> Bool { await tokens.delete(name) }

    func withRefreshLock(_ name: String, lease: Duration, wait: Duration, _ body: @Sendable (Data?) async throws -> Data) async throws -> Data {
        try await signedIn()
        return try await tokens.withRefreshLock(name, lease: lease, wait: wait, body)
    }
}
