/// What a handler answers: a status, a body and extra headers.
struct SandboxReply: Sendable {
    enum Body: Sendable {
        case json(JSONValue)
        case text(String)
        case empty
    }

    var status: Int
    var body: Body
    var headers: [(String, String)] = []

    static func ok(_ value: JSONValue) -> SandboxReply { SandboxReply(status: 200, body: .json(value)) }
    static func created(_ value: JSONValue) -> SandboxReply { SandboxReply(status: 201, body: .json(value)) }
    static let noContent = SandboxReply(status: 204, body: .empty)

    /// `{data: [...], is_paginated: false}`.
    static func list(_ items: [JSONValue]) -> SandboxReply { .ok(["data": .array(items), "is_paginated": false]) }

    func with(header name: String, _ value: String) -> SandboxReply {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }
}
