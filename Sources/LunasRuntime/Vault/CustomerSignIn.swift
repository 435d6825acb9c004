/// How a customer's password sign-in (``Vault/signIn(_:email:password:)``) ended.
public enum CustomerSignIn: Sendable, Equatable {
    /// The customer's tokens are in the vault.
    case signedIn
    /// The store emailed a one-time code (`message` says so, as the store put it): finish with
    /// ``Vault/verifyOTP(_:email:otp:)``.
    case otpRequired(message: String)
}
