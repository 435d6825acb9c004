import ScalevModel

/// Every failure of a Scalev call: an error answer (v3 or v2 body, JSON or plain text), a
/// transport failure, a refusal before sending (catalog checks, deadline), or an ambiguous write
/// that was deliberately not repeated.
public struct ScalevError: Error, Sendable, CustomStringConvertible {
    /// One validation problem (`errors[]` of a 422, `details` of a v2 error).
    public struct FieldError: Sendable, Equatable {
        /// The field, e.g. `customer_email`.
        public var field: String
        /// What is wrong with it.
        public var message: String
        /// The machine code, when the server gave one.
        public var code: String?

        /// A field error.
        public init(field: String, message: String, code: String? = nil) {
            self.field = field
            self.message = message
            self.code = code
        }
    }

    /// The HTTP status; `nil` when no answer was received or the request was not sent.
    public var status: Int?
    /// Scalev's `error_code`, or one of the client's own: `timeout`, `connection_error`,
    /// `deadline_exceeded`, `ambiguous_write`, `unknown_operation`, `unknown_parameter`,
    /// `missing_required`, `invalid_request`, `unsupported_operation`, `credential_unavailable`,
    /// `refresh_failed`, `invalid_state`, `invalid_response`, `rate_budget`.
    public var code: String?
    /// A human message (never holding a secret).
    public var message: String
    /// Validation errors; may be empty.
    public var errors: [FieldError]
    /// Whether trying again later may succeed (408, 429, 5xx, transport failures).
    public var retryable: Bool
    /// Whether the request may have been applied although it failed: a write (not a read, not
    /// a dry run's) one of whose attempts reached the server and got no clear answer — a 5xx, a
    /// timeout or a connection lost after sending — and that was not shown to be unapplied
    /// afterwards. Every `ambiguous_write` is ambiguous; so is, for one, a `PATCH` that timed out
    /// and then hit the deadline, or a `DELETE` retried after a lost answer that then got a 404.
    public var ambiguous: Bool
    /// The method of the exchange.
    public var method: String
    /// The path of the exchange (no query).
    public var path: String

    /// An error.
    public init(status: Int?, code: String?, message: String, errors: [FieldError] = [], retryable: Bool, ambiguous: Bool = false,
                method: String, path: String) {
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.method = method
        self.path = path
    }

    /// `"POST /v3/orders -> 422 validation_failed: Validation failed (customer_email: is required)"`.
    public var description: String {
        let refused = ["missing_required", "unknown_operation", "unknown_parameter", "invalid_request", "unsupported_operation", "credential_unavailable", "rate_budget"]
        let outcome = status.map(String.init) ?? (refused.contains(code ?? "") ? "not sent" : "no response")
        var text = "\(method) \(path) -> \(outcome)"
        if let code { text += " \(code)" }
        text += ": \(message)"
        if !errors.isEmpty {
            text += " (" + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ") + ")"
        }
        return text
    }
}
