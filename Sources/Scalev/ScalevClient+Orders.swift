import Foundation
import ScalevModel

extension ScalevClient {
    /// The metadata key holding the client's request id on orders it creates.
    public static let requestIDKey = "lunas_request_id"

    /// `POST /v3/orders` made safe to retry: Scalev has no idempotency key and the create takes no
    /// `external_id`, so the order carries a request id in `metadata`; after an ambiguous failure
    /// the customer's recent orders (by email, else phone) are searched for it before sending
    /// again, and a found order is returned as the answer.
    func createOrder(_ request: ScalevRequest, context: RequestContext) async throws -> ScalevResponse {
        guard case .object(var body)? = request.body else {
            return try await exchange(request, context: context, repeatable: false)
        }
        var metadata = body["metadata"]?.objectValue ?? [:]
        let requestID = metadata[Self.requestIDKey]?.stringValue ?? UUID().uuidString.lowercased()
        metadata[Self.requestIDKey] = .string(requestID)
        body["metadata"] = .object(metadata)
        var tagged = request
        tagged.body = .object(body)
        let search: (field: String, value: String)?
        if let email = body["customer_email"]?.stringValue, !email.isEmpty {
            search = ("customer_email", email)
        } else if let phone = body["customer_phone"]?.stringValue, !phone.isEmpty {
            search = ("customer_phone", phone)
        } else {
            search = nil
        }
        guard let search else {
            // Nothing to search by: never repeated after an ambiguous failure.
            return try await exchange(tagged, context: context, repeatable: false)
        }
        return try await exchange(tagged, context: context, repeatable: false) { [self] in
            try await findOrder(requestID: requestID, field: search.field, value: search.value, context: context)
        }
    }

    /// The order among the customer's most recent ones whose `metadata.lunas_request_id` is
    /// `requestID`, as a response; `nil` when none carries it.
    func findOrder(requestID: String, field: String, value: String, context: RequestContext) async throws -> ScalevResponse? {
        var cursor: String?
        for _ in 0..<configuration.orderLookupPages {
            var query: [(String, String)] = [("search", value), ("search_field", field), ("page_size", "25")]
            if let cursor { query.append(("next_cursor", cursor)) }
            let page = try await exchange(ScalevRequest(method: "GET", path: "/v3/orders", query: query), context: context, repeatable: true)
            let json = try JSON(parsing: page.body)
            for order in json["data"].arrayValue ?? [] where order["metadata"][Self.requestIDKey].stringValue == requestID {
                trace("scalev ✓ found the order created by request \(requestID) (\(order["order_id"].stringValue ?? "?")); not sending it again", context)
                return ScalevResponse(status: 200, headers: page.headers.filter { $0.0.lowercased().hasPrefix("x-ratelimit") }, body: order.encoded())
            }
            guard json["has_next"].boolValue == true, let next = json["next_cursor"].stringValue else { break }
            cursor = next
        }
        return nil
    }
}
