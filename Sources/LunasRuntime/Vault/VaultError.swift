/// A use of a ``Vault`` that cannot be carried out: a credential that is not configured or is
/// of another kind, an API key that is not one, a redirect without a code.
public struct VaultError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and what to do.
    public let description: String

    init(_ description: String) { self.description = description }
}
