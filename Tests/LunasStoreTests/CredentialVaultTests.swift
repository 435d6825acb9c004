import Foundation
import LunasStore
import Testing

/// The vault: sealed at rest, and a rotating token refreshed by one process at a time.
@Suite(.timeLimit(.minutes(2))) struct CredentialVaultTests {
    @Test(arguments: Backend.available)
    func secretsAreSealedAtRestAndOpenOnlyWithTheKey(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let name = "oauth:\(f.namespace)"
            let vault = CredentialVault(store: f.store, key: .generate())
            try await vault.save(name, secret: Data("refresh-token-123".utf8))
            #expect(try await vault.secret(name) == Data("refresh-token-123".utf8))
            let row = try #require(try await f.store.loadCredential(name))
            #expect(!row.sealed.contains("refresh-token-123"))
            #expect(!(Data(base64Encoded: row.sealed).map { String(decoding: $0, as: UTF8.self) } ?? "").contains("refresh-token-123"))
            let stranger = CredentialVault(store: f.store, key: .generate())
            await #expect(throws: StoreError.vaultCorrupt(name)) { try await stranger.secret(name) }
            #expect(try await vault.delete(name))
            #expect(try await vault.secret(name) == nil)
        }
    }

    @Test func vaultKeysComeFromTheEnvironmentAsBase64OfThirtyTwoBytes() throws {
        let key = VaultKey.generate()
        #expect(try VaultKey.load(environment: [VaultKey.environmentVariable: key.base64]).base64 == key.base64)
        #expect(throws: StoreError.self) { try VaultKey(base64: "c2hvcnQ=") }
        #expect(throws: StoreError.self) { try VaultKey.load(environment: [:], keyFile: nil) }
    }

    @Test(arguments: Backend.available)
    func concurrentRefreshersNeverSpendTheSameRefreshToken(_ backend: Backend) async throws {
        try await withStore(backend) { f in
            let name = "rotating:\(f.namespace)"
            let key = VaultKey.generate()
            try await CredentialVault(store: f.store, key: key).save(name, secret: Data("token-0".utf8))
            var stores: [any Store] = []
            for _ in 0..<6 { stores.append(try await f.reopen()) }
            // Each refresher "spends" the token it read and stores the next one. Two refreshers
            // that read the same token would both produce the same successor.
            let spent = try await withThrowingTaskGroup(of: String.self) { group in
                for store in stores {
                    group.addTask {
                        let vault = CredentialVault(store: store, key: key)
                        let next = try await vault.withRefreshLock(name) { current in
                            let used = String(decoding: current ?? Data(), as: UTF8.self)
                            let n = Int(used.dropFirst("token-".count)) ?? -1
                            return Data("token-\(n + 1)".utf8)
                        }
                        return String(decoding: next, as: UTF8.self)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(spent) == Set((1...6).map { "token-\($0)" }), "a refresh token was spent twice: \(spent.sorted())")
            #expect(try await CredentialVault(store: f.store, key: key).secret(name) == Data("token-6".utf8))
            for store in stores { await store.close() }
        }
    }
}
