/// A configured credential as the vault sees it: its kind and where its secret is.
public struct VaultEntry: Sendable, Equatable {
    /// Where a credential's secret is kept.
    public enum Place: Sendable, Equatable {
        /// In an environment variable (an API key's `env`); whether it is set.
        case environment(variable: String, isSet: Bool)
        /// In the configuration itself (a storefront's publishable key).
        case configuration
        /// In the vault; whether it holds it yet.
        case vault(stored: Bool)
    }

    /// The credential's name in the configuration.
    public var name: String
    /// Its family.
    public var kind: CredentialEntry.Kind
    /// Where its secret is.
    public var place: Place

    /// An entry.
    public init(name: String, kind: CredentialEntry.Kind, place: Place) {
        self.name = name
        self.kind = kind
        self.place = place
    }
}
