import ScalevModel

/// What a rules job carries: the exact version of its rules file (a content hash of the stored
/// source) and its handler's input — the webhook event, the schedule's fire, a timer's arguments.
struct JobPayload: Sendable, Equatable {
    /// The content hash of the rules file's source the job runs.
    var version: String
    /// The handler's argument.
    var input: JSON
    /// The credential its run uses by default (a webhook source's); `nil`: the configured default.
    var credential: String?

    /// The payload as the job table stores it.
    var text: String {
        var members: [String: JSON] = ["version": .string(version), "input": input]
        if let credential { members["credential"] = .string(credential) }
        return JSON.object(members).description
    }

    init(version: String, input: JSON, credential: String? = nil) {
        self.version = version
        self.input = input
        self.credential = credential
    }

    /// Reads a stored payload; `nil` when it is not one (a job some other program enqueued).
    init?(text: String) {
        guard let json = try? JSON(parsing: Array(text.utf8)), let version = json["version"].stringValue else { return nil }
        self.version = version
        self.input = json["input"]
        self.credential = json["credential"].stringValue
    }
}
