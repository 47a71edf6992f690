import Postgres

/// Every read model is one SQL expression yielding a single json value. The CLI fetches one read model with
/// `fetch`; the dashboard composes several of the same expressions into one statement (`DashboardSnapshot`).
enum ReadModelQuery {
    static func fetch<T: Decodable>(_ connection: Connection, _ jsonExpression: SQL) throws -> T {
        let rows = try connection.query("SELECT (\(jsonExpression)) AS value")
        return try rows[0].decodeJSON("value", as: T.self)
    }
}
