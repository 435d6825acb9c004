import LunasStore

extension Runtime {
    /// The vault in the runtime's store, sealed with the key in the configuration's environment
    /// (`LUNAS_VAULT_KEY`) or its `vault_key_file`; opens the store (a SQLite file is created if
    /// missing). Its OAuth and customer requests go through the runtime's HTTP client, so use it
    /// before ``shutdown()``. Throws when the runtime has no store, the key cannot be loaded or
    /// the store cannot be opened.
    public func vault() async throws -> Vault {
        guard let store else { throw VaultError("the vault lives in a store; this runtime has none (RuntimeConfiguration.store)") }
        let key = try VaultKey.load(environment: configuration.environment, keyFile: configuration.lunas.vaultKeyFile)
        return Vault(vault: CredentialVault(store: try await store.store(), key: key), lunas: configuration.lunas,
                     environment: configuration.environment, connector: scalev)
    }
}
