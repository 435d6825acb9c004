import Testing

/// Under CI the PostgreSQL half of the suite is mandatory: a missing server fails the run.
@Suite(.timeLimit(.minutes(2))) struct PostgresConfigurationTests {
    @Test(.enabled(if: Backend.isCI || Backend.postgresURL != nil,
                   "PostgreSQL tests skipped: start a server with `Tests/support/postgres.sh start` and set LUNAS_TEST_POSTGRES_URL"))
    func postgresIsConfigured() {
        #expect(Backend.postgresURL != nil, "CI=true but LUNAS_TEST_POSTGRES_URL is not set: run Tests/support/postgres.sh start")
    }
}
