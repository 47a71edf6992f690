import Foundation
import Postgres

/// The shape of the database wsync runs on, read from the catalog once per connection: which columns the shared
/// tables have and which unique keys an `ON CONFLICT` can name. wsync writes only columns that exist, against keys
/// that exist, so the same code runs on production, on the guide's era and on the schema `wsync migrate` creates.
public struct SchemaCatalog: Sendable, Equatable {
    /// Table → its columns (the `public` tables wsync shares with the app).
    public var columns: [String: Set<String>]
    /// Table → the column sets of its unique keys and primary key.
    public var uniqueKeys: [String: Set<Set<String>>]

    public static func of(_ connection: Connection) throws -> SchemaCatalog {
        try connection.memoized("wsync.schema-catalog") { try read($0) }
    }

    public func has(_ table: String, column: String) -> Bool {
        columns[table]?.contains(column) ?? false
    }

    public func hasUniqueKey(_ table: String, on columns: Set<String>) -> Bool {
        uniqueKeys[table]?.contains(columns) ?? false
    }

    static let sharedTables = ["workspaces", "repositories", "tracked_repositories", "workspace_repositories",
                               "workspace_tracked_repositories", "contributors", "issues", "daily_activity_metrics",
                               "workspace_issues_cache"]

    private static func read(_ connection: Connection) throws -> SchemaCatalog {
        let row = try connection.query("""
            SELECT
                (SELECT coalesce(json_object_agg(t.relname, t.columns), '{}')
                 FROM (SELECT c.relname, json_agg(a.attname ORDER BY a.attnum) AS columns
                       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                       WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(sharedTables)::text[])
                       GROUP BY c.relname) t)::text AS columns,
                (SELECT coalesce(json_object_agg(k.relname, k.keys), '{}')
                 FROM (SELECT c.relname, json_agg(k.columns) AS keys
                       FROM pg_class c
                       JOIN LATERAL (
                           SELECT (SELECT json_agg(a.attname) FROM pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attnum = ANY(con.conkey)) AS columns
                           FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype IN ('u', 'p')
                           UNION ALL
                           -- A unique index without a constraint is an ON CONFLICT target too.
                           SELECT (SELECT json_agg(a.attname) FROM pg_attribute a
                                   WHERE a.attrelid = c.oid AND a.attnum = ANY(i.indkey))
                           FROM pg_index i
                           WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
                       ) k ON true
                       WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(\(sharedTables)::text[])
                       GROUP BY c.relname) k)::text AS keys
            """)[0]
        let decoder = JSONDecoder()
        let columns = try decoder.decode([String: [String]].self, from: Data(try row.decode("columns", as: String.self).utf8))
        let keys = try decoder.decode([String: [[String]]].self, from: Data(try row.decode("keys", as: String.self).utf8))
        return SchemaCatalog(columns: columns.mapValues(Set.init),
                             uniqueKeys: keys.mapValues { Set($0.map(Set.init)) })
    }
}
