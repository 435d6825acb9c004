import Foundation
import ScalevModel

extension ScalevError {
    /// Whether an answer with `status` may succeed when tried again.
    static func isRetryable(status: Int) -> Bool { status == 408 || status == 429 || (500...599).contains(status) }

    /// The error for a non-2xx answer: the v3 body (`error`, `error_code`, `message`, `errors[]`),
    /// the v2 body (`error`, `details`, or an envelope with a non-2xx `code`), an OAuth error
    /// (`error`, `error_description`), or a plain-text / empty / non-JSON body.
    init(status: Int, body: [UInt8], method: String, path: String) {
        var code: String?
        var message: String?
        var errors: [FieldError] = []
        if let json = try? JSON(parsing: body), case .object(let object) = json {
            var source = object
            // A v2 envelope carrying the error inside `data`.
            if object["code"]?.integerValue != nil, object["status"]?.stringValue != nil, case .object(let data)? = object["data"] {
                source = data
                message = data["error"]?.stringValue ?? data["message"]?.stringValue ?? object["status"]?.stringValue
            }
            code = source["error_code"]?.stringValue
            if message == nil {
                if let description = source["error_description"]?.stringValue {
                    code = code ?? source["error"]?.stringValue
                    message = description
                } else {
                    message = source["error"]?.stringValue ?? source["message"]?.stringValue ?? source["detail"]?.stringValue
                }
            }
            if let detail = source["message"]?.stringValue, let main = message, detail != main, !main.isEmpty, code == "validation_failed" {
                message = main + " — " + detail
            }
            for item in source["errors"]?.arrayValue ?? [] {
                if let field = item["field"].stringValue {
                    errors.append(FieldError(field: field, message: item["message"].stringValue ?? "is invalid", code: item["code"].stringValue))
                } else if let text = item.stringValue {
                    errors.append(FieldError(field: "", message: text))
                }
            }
            for (field, value) in (source["details"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                let messages = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
                for text in messages { errors.append(FieldError(field: field, message: text)) }
            }
        } else {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, !text.hasPrefix("<") { message = text }
        }
        var text = message ?? Self.reason(status)
        if status == 403, let scopes = Self.scopes(method: method, path: path) {
            text += " (\(method) \(path.split(separator: "?").first ?? "") needs the scope \(scopes); grant it to the key or the OAuth app)"
        }
        self.init(
            status: status, code: code, message: text, errors: errors,
            retryable: Self.isRetryable(status: status), method: method, path: path)
    }

    /// The scopes that allow the catalog operation of a request (`orders:write`, or a list of
    /// alternatives); `nil` outside the catalog.
    static func scopes(method: String, path: String) -> String? {
        guard let operation = try? OperationCatalog.bundled().operation(method: method, path: path), !operation.scopes.isEmpty else {
            return nil
        }
        return operation.scopes.map { "'\($0)'" }.joined(separator: " or ")
    }

    /// A short reason phrase for a status without a usable body.
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: "Bad request"
        case 401: "Unauthorized"
        case 402: "Payment required"
        case 403: "Forbidden"
        case 404: "Not found"
        case 405: "Method not allowed"
        case 408: "Request timeout"
        case 409: "Conflict"
        case 422: "Unprocessable entity"
        case 429: "Too many requests"
        case 500: "Internal server error"
        case 502: "Bad gateway"
        case 503: "Service unavailable"
        case 504: "Gateway timeout"
        default: "HTTP \(status)"
        }
    }
}
