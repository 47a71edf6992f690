import Foundation
import Postgres

/// What `cleanup` removes or moves (or would, in a dry run).
public struct CleanupCounts: Codable, Sendable, Equatable {
    public var expiredCacheEntries: Int
    public var archivedMetrics: Int

    public init(expiredCacheEntries: Int, archivedMetrics: Int) {
        self.expiredCacheEntries = expiredCacheEntries
        self.archivedMetrics = archivedMetrics
    }
}

extension Operations {
    /// The guide's weekly clean-up in one transaction: cache entries that expired more than 7 days ago are deleted;
    /// daily metrics older than 90 days move to the archive table (created if missing) in a single statement, so a
    /// failure leaves every row where it was — never lost, never doubled.
    public func cleanup(dryRun: Bool = false) throws -> (counts: CleanupCounts, outcome: ActionOutcome) {
        try validateActor()
        if dryRun {
            let row = try connection.query("""
                SELECT (SELECT count(*) FROM workspace_issues_cache WHERE \(Self.expiredCache))::int AS cache,
                       (SELECT count(*) FROM daily_activity_metrics WHERE \(Self.oldMetrics))::int AS metrics
                """)[0]
            let counts = CleanupCounts(expiredCacheEntries: try row.decode("cache"), archivedMetrics: try row.decode("metrics"))
            return (counts, ActionOutcome(actionId: nil, action: .cleanup, affectedRows: 0,
                                          summary: "dry run: would delete \(counted(counts.expiredCacheEntries, "expired cache entry", plural: "expired cache entries")) and archive \(counted(counts.archivedMetrics, "daily metric row"))"))
        }
        return try connection.transaction { connection in
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS daily_activity_metrics_archive (LIKE daily_activity_metrics INCLUDING DEFAULTS)
                """)
            let deleted = try connection.execute("DELETE FROM workspace_issues_cache WHERE \(Self.expiredCache)")
            let archived = try connection.execute("""
                WITH moved AS (DELETE FROM daily_activity_metrics WHERE \(Self.oldMetrics) RETURNING *)
                INSERT INTO daily_activity_metrics_archive SELECT * FROM moved
                """)
            let counts = CleanupCounts(expiredCacheEntries: deleted, archivedMetrics: archived)
            let summary = "deleted \(counted(deleted, "expired cache entry", plural: "expired cache entries")) and archived \(counted(archived, "daily metric row"))"
            let id = try AuditLog.record(connection, actor: actor, action: .cleanup, summary: summary, affectedRows: deleted + archived)
            return (counts, ActionOutcome(actionId: id, action: .cleanup, affectedRows: deleted + archived, summary: summary))
        }
    }

    /// Expired more than 7 days ago.
    static let expiredCache: SQL = "expires_at < now() - interval '7 days'"
    /// Days more than 90 days before today (the guide compares a date with a timestamp, which also takes day 90).
    static let oldMetrics: SQL = "date < current_date - 90"
}
