import Foundation

/// What the command that runs the tests says through the environment. The one place the test
/// support reads it; everything else takes these values.
public struct TestEnvironment: Sendable {
    /// The variable naming the throwaway PostgreSQL database (`Tests/support/postgres.sh start`
    /// prints one).
    public static let postgresURLVariable = "LUNAS_TEST_POSTGRES_URL"

    /// The throwaway PostgreSQL database, if the run has one.
    public var postgresURL: String?
    /// Whether the tests run in continuous integration (`CI=true`).
    public var isCI: Bool

    /// Reads the values from `variables`.
    public init(_ variables: [String: String]) {
        let url = variables[Self.postgresURLVariable]
        postgresURL = url?.isEmpty == false ? url : nil
        isCI = variables["CI"] == "true"
    }

    /// The environment of this process.
    public static var current: TestEnvironment { TestEnvironment(ProcessInfo.processInfo.environment) }

    /// The backends to run store tests against: SQLite, and PostgreSQL when there is one.
    public var storeBackends: [StoreBackend] { StoreBackend.available(postgresURL: postgresURL) }
}

extension StoreBackend {
    /// The backends of this test run: ``TestEnvironment/storeBackends`` of the process.
    public static var available: [StoreBackend] { TestEnvironment.current.storeBackends }

    /// The throwaway PostgreSQL database of this test run, if any.
    public static var postgresURL: String? { TestEnvironment.current.postgresURL }
}
