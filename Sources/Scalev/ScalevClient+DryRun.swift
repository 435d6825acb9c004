import ScalevModel

extension ScalevClient {
    /// `POST` routes that only read: shipping quotes, checkout summaries, discount-code checks,
    /// courier and warehouse searches, the partnership change preview. Path templates; `*` is
    /// one segment.
    public static let readOnlyPosts: [String] = [
        "/v3/shipping-costs",
        "/v3/shipping-costs/search-courier-service",
        "/v3/shipping-costs/search-warehouse",
        "/v3/products/*/partnership/check-changes",
        "/v3/stores/*/public/checkout/shipping-options",
        "/v3/stores/*/public/checkout/summary",
        "/v3/stores/*/public/discount-codes/check",
        "/v3/stores/*/customers/me/checkout/shipping-options",
        "/v3/stores/*/customers/me/checkout/summary",
        "/v3/pages/*/checkout/shipping-options",
        "/v3/pages/*/checkout/summary",
        "/v3/pages/*/discount-codes/check",
    ]

    /// `POST` routes that are safe to repeat (they set a state rather than add to one): tag
    /// replacement, clearing the spam flag, the storefront's idempotent payment request.
    public static let idempotentPosts: [String] = [
        "/v3/orders/*/update-tags",
        "/v3/customers/*/update-tags",
        "/v3/orders/mark-not-spam",
        "/v3/stores/*/public/orders/*/payment",
    ]

    /// Whether `path` matches one of the `templates` (`*` = one segment).
    static func matches(_ path: String, _ templates: [String]) -> Bool {
        let segments = trimmed(path).split(separator: "/", omittingEmptySubsequences: true)
        return templates.contains { template in
            let parts = template.split(separator: "/", omittingEmptySubsequences: true)
            return parts.count == segments.count && zip(parts, segments).allSatisfy { $0 == "*" || $0 == $1 }
        }
    }

    /// Whether a request may be sent again after an ambiguous failure: reads, `PUT`, `PATCH`,
    /// `DELETE` and ``idempotentPosts``.
    public static func isRepeatable(method: String, path: String) -> Bool {
        let method = method.uppercased()
        return isRead(method: method, path: path) || ["PUT", "PATCH", "DELETE"].contains(method) || (method == "POST" && matches(path, idempotentPosts))
    }

    /// The dry-run classification: `GET` and `HEAD` read (the catalog's `readOnly` operations
    /// are exactly its `GET`s), as do the `POST` routes in ``readOnlyPosts``; everything else
    /// writes.
    public static func isRead(method: String, path: String) -> Bool {
        switch method.uppercased() {
        case "GET", "HEAD", "OPTIONS": return true
        case "POST": return matches(path, readOnlyPosts)
        default: return false
        }
    }

    /// The longest body a dry-run line shows, in characters (longer ones end in `…`).
    static let shownBodyLength = 600

    /// The made-up answer to a write skipped by a dry run: the request body (an object) plus
    /// `dry_run: true`, or `{dry_run: true, request: <body>}` for any other body. The line it
    /// records shows the body as JSON, secrets redacted (before a long body is cut).
    func dryRunAnswer(_ request: ScalevRequest, context: RequestContext) -> ScalevResponse {
        var shown = ""
        if let body = request.body, body != .object([:]) {
            let text = redact(String(decoding: body.encoded(), as: UTF8.self))
            shown = " " + (text.count > Self.shownBodyLength ? text.prefix(Self.shownBodyLength) + "…" : text)
        }
        let line = "dry run: \(request.method) \(request.path)\(shown) not sent"
        context.recordWrite?(redact(line))
        trace("scalev ∅ \(line)", context)
        var body: [String: JSON]
        if case .object(let members)? = request.body {
            body = members
        } else {
            body = ["request": request.body ?? .null]
        }
        body["dry_run"] = .bool(true)
        return ScalevResponse(status: 200, headers: [], body: JSON.object(body).encoded(), dryRun: true)
    }
}
