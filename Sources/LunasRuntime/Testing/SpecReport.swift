/// Why a test of a spec failed, or why its file did (an error outside every `it`).
public struct SpecFailure: Sendable, Equatable {
    /// What went wrong (`expected 3 to equal 4`, or the error's message).
    public var message: String
    /// The spec's `file:line` of the failing expectation or error, when known.
    public var location: String?
    /// The value the expectation wanted, rendered (tables with sorted keys, bounded depth).
    public var expected: String?
    /// The value it got, rendered.
    public var actual: String?

    /// A failure.
    public init(message: String, location: String? = nil, expected: String? = nil, actual: String? = nil) {
        self.message = message
        self.location = location
        self.expected = expected
        self.actual = actual
    }
}

/// One test of a spec file: its full name (`describe › it`) and how it ended.
public struct SpecTestResult: Sendable, Equatable {
    /// The names of its `describe` blocks and its `it`, joined with ` › `.
    public var name: String
    /// Why it failed; `nil` when it passed.
    public var failure: SpecFailure?
    /// From its first `before_each` to its last `after_each`.
    public var duration: Duration

    /// A result.
    public init(name: String, failure: SpecFailure? = nil, duration: Duration = .zero) {
        self.name = name
        self.failure = failure
        self.duration = duration
    }

    /// Whether it passed.
    public var passed: Bool { failure == nil }
}

/// What one spec file came to.
public struct SpecFileReport: Sendable {
    /// The spec file, as given.
    public var file: String
    /// Its tests in the order they ran (those `--filter` left out are not here).
    public var tests: [SpecTestResult]
    /// An error outside every `it` (a syntax error, a failing `describe` body, a limit): the
    /// file failed even if every test that ran passed.
    public var error: SpecFailure?
    /// How long the file took.
    public var duration: Duration

    /// A report.
    public init(file: String, tests: [SpecTestResult] = [], error: SpecFailure? = nil, duration: Duration = .zero) {
        self.file = file
        self.tests = tests
        self.error = error
        self.duration = duration
    }

    /// Whether every test passed and nothing failed outside them.
    public var passed: Bool { error == nil && tests.allSatisfy(\.passed) }
}
