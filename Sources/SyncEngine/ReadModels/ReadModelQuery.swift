import Postgres

/// Every read model is one SQL expression yielding a single json value. The CLI fetches one read model with
/// `fetch`; the dashboard composes several of the same expressions into one statement (`DashboardSnapshot`).
enum ReadModelQuery {
    static func fetch<T: Decodable>(_ connection: Connection, _ jsonExpression: SQL, prepared: Bool = false) throws -> T {
        let statement: SQL = "SELECT (\(jsonExpression)) AS value"
        let rows = try prepared ? connection.queryPrepared(statement) : connection.query(statement)
        return try rows[0].decodeJSON("value", as: T.self)
    }
}
