/// Replaces every known secret in a text with `[REDACTED]`, so no log line or error shows one.
public struct Redactor: Sendable {
    private let secrets: [String]

    /// A redactor for these secrets (empty strings and very short ones are ignored: they would
    /// redact ordinary text).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 6 }.sorted { $0.count > $1.count }
    }

    /// The text with every secret replaced.
    public func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "[REDACTED]")
        }
        return text
    }
}
