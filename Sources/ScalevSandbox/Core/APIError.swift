import ScalevModel

/// An error answer in Scalev's shape: `{error, error_code}`, with `errors[]` for validation failures.
struct APIError: Error, Sendable {
    var status: Int
    var message: String
    var code: String?
    var fieldErrors: [FieldError] = []
    /// Replaces the JSON body (v2 errors use `{error, details}`).
    var body: JSON?

    /// One entry of a 422's `errors[]`.
    struct FieldError: Sendable {
        var field: String
        var code: String
        var message: String
    }

    var json: JSON {
        if let body { return body }
        var object: [String: JSON] = ["error": .string(message)]
        if let code { object["error_code"] = .string(code) }
        if !fieldErrors.isEmpty {
            object["message"] = .string(message)
            object["errors"] = .array(fieldErrors.map { error in
                ["severity": "error", "code": .string(error.code), "field": .string(error.field), "message": .string(error.message)]
            })
        }
        return .object(object)
    }

    static func unauthorized(_ message: String = "Invalid API key", code: String = "unauthorized") -> APIError {
        APIError(status: 401, message: message, code: code)
    }
    static func forbidden(_ message: String = "Forbidden", code: String = "forbidden") -> APIError {
        APIError(status: 403, message: message, code: code)
    }
    static func notFound(_ what: String = "Resource") -> APIError {
        APIError(status: 404, message: "\(what) not found", code: "not_found")
    }
    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(status: 400, message: message, code: code)
    }
    static func conflict(_ message: String, code: String) -> APIError {
        APIError(status: 409, message: message, code: code)
    }
    static func unprocessable(_ message: String, code: String = "unprocessable_entity") -> APIError {
        APIError(status: 422, message: message, code: code)
    }
    /// A 422 `validation_failed` naming each offending field.
    static func validation(_ errors: [FieldError]) -> APIError {
        let summary = errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return APIError(status: 422, message: "Validation failed: \(summary)", code: "validation_failed", fieldErrors: errors)
    }
    static func missing(_ fields: [String]) -> APIError {
        validation(fields.map { FieldError(field: $0, code: "required", message: "can't be blank") })
    }
    static func invalid(_ field: String, _ message: String) -> APIError {
        validation([FieldError(field: field, code: "invalid", message: message)])
    }
}
