import ScalevModel

/// What a handler answers: a status, a body and extra headers.
struct SandboxReply: Sendable {
    enum Body: Sendable {
        case json(JSON)
        /// JSON text already serialized (as `JSON.encoded()` would give it).
        case serializedJSON([UInt8])
        case text(String)
        case empty
    }

    var status: Int
    var body: Body
    var headers: [(String, String)] = []

    static func ok(_ value: JSON) -> SandboxReply { SandboxReply(status: 200, body: .json(value)) }
    static func ok(serialized bytes: [UInt8]) -> SandboxReply { SandboxReply(status: 200, body: .serializedJSON(bytes)) }
    static func created(_ value: JSON) -> SandboxReply { SandboxReply(status: 201, body: .json(value)) }
    static let noContent = SandboxReply(status: 204, body: .empty)

    /// `{data: [...], is_paginated: false}`.
    static func list(_ items: [JSON]) -> SandboxReply { .ok(["data": .array(items), "is_paginated": false]) }

    func with(header name: String, _ value: String) -> SandboxReply {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }
}
