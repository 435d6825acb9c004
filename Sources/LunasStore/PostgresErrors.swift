import PostgresNIO

/// PostgreSQL errors as ``StoreError/database(_:)``: the server's SQLSTATE and message, or the
/// client's error code. postgres-nio's own description hides both (it may carry bound values).
enum PostgresErrors {
    /// The store error for `error`; `bySQLState` names the meaning of specific server errors.
    static func translate(_ error: any Error, bySQLState: [String: StoreError] = [:]) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if let info = error.serverInfo {
            if let state = info[.sqlState], let meaning = bySQLState[state] { return meaning }
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return StoreError.database((info[.message] ?? "server error") + state)
        }
        return StoreError.database("PostgreSQL client error: \(error.code)")
    }
}
