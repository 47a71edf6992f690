import Foundation
import Postgres

/// The guide's database tuning: ANALYZE of the sync tables and their index usage.
public enum DatabaseTuning {
    /// The guide's three tables plus wsync's busiest ones.
    public static let tables = ["workspace_tracked_repositories", "daily_activity_metrics", "workspace_issues_cache",
                                "wsync.sync_runs", "wsync.rate_limit_observations"]

    /// Runs ANALYZE on each table; returns the tables analyzed.
    public static func analyze(_ connection: Connection) throws -> [String] {
        try connection.executeScript("""
            ANALYZE workspace_tracked_repositories;
            ANALYZE daily_activity_metrics;
            ANALYZE workspace_issues_cache;
            ANALYZE wsync.sync_runs;
            ANALYZE wsync.rate_limit_observations;
            """)
        return tables
    }
}

/// One index of the sync tables and how much it is used (the guide's pg_stat_user_indexes query).
public struct IndexUsage: TabularRow, Equatable {
    public var schemaname: String
    public var tablename: String
    public var indexname: String
    public var idxScan: Int
    public var idxTupRead: Int
    public var idxTupFetch: Int

    public static func fetch(_ connection: Connection) throws -> [IndexUsage] {
        try ReadModelQuery.fetch(connection, """
            SELECT coalesce(json_agg(json_build_object(
                       'schemaname', schemaname, 'tablename', tablename, 'indexname', indexrelname, 'idx_scan', idx_scan,
                       'idx_tup_read', idx_tup_read, 'idx_tup_fetch', idx_tup_fetch)
                       ORDER BY idx_scan DESC, tablename, indexrelname), '[]')
            FROM (SELECT *, (CASE WHEN schemaname = 'public' THEN '' ELSE schemaname || '.' END) || relname AS tablename
                  FROM pg_stat_user_indexes) AS usage
            WHERE tablename = ANY(\(DatabaseTuning.tables)::text[])
            """)
    }

    public static let columns = ["schemaname", "tablename", "indexname", "idx_scan", "idx_tup_read", "idx_tup_fetch"]
    public var cells: [String] {
        [schemaname, tablename, indexname, String(idxScan), String(idxTupRead), String(idxTupFetch)]
    }
}
