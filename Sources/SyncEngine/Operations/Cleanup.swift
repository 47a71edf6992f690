import Foundation
import Postgres

/// What `cleanup` removes or moves (or would, in a dry run).
public struct CleanupCounts: Codable, Sendable, Equatable {
    public var expiredCacheEntries: Int
    public var archivedMetrics: Int
    /// wsync's own history, which grows with every request and run: rate-limit observations after 7 days, sync-run
    /// rows after 90 days (the gauge reads 15 minutes, the reports at most 90 days).
    public var prunedRateLimitObservations: Int
    public var prunedSyncRuns: Int

    public init(expiredCacheEntries: Int, archivedMetrics: Int, prunedRateLimitObservations: Int = 0, prunedSyncRuns: Int = 0) {
        self.expiredCacheEntries = expiredCacheEntries
        self.archivedMetrics = archivedMetrics
        self.prunedRateLimitObservations = prunedRateLimitObservations
        self.prunedSyncRuns = prunedSyncRuns
    }

    var summary: String {
        "\(counted(expiredCacheEntries, "expired cache entry", plural: "expired cache entries")), "
            + "\(counted(archivedMetrics, "daily metric row")) to archive, "
            + "\(counted(prunedRateLimitObservations, "old rate-limit observation")) and \(counted(prunedSyncRuns, "old sync-run row"))"
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
                       (SELECT count(*) FROM daily_activity_metrics WHERE \(Self.oldMetrics))::int AS metrics,
                       (SELECT count(*) FROM wsync.rate_limit_observations WHERE \(Self.oldObservations))::int AS observations,
                       (SELECT count(*) FROM wsync.sync_runs WHERE \(Self.oldRuns))::int AS runs
                """)[0]
            let counts = CleanupCounts(expiredCacheEntries: try row.decode("cache"), archivedMetrics: try row.decode("metrics"),
                                       prunedRateLimitObservations: try row.decode("observations"), prunedSyncRuns: try row.decode("runs"))
            return (counts, ActionOutcome(actionId: nil, action: .cleanup, affectedRows: 0, summary: "dry run: would clean \(counts.summary)"))
        }
        return try audited(.cleanup, [:]) { try connection.transaction { connection in
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS daily_activity_metrics_archive (LIKE daily_activity_metrics INCLUDING DEFAULTS)
                """)
            let deleted = try connection.execute("DELETE FROM workspace_issues_cache WHERE \(Self.expiredCache)")
            let archived = try connection.execute("""
                WITH moved AS (DELETE FROM daily_activity_metrics WHERE \(Self.oldMetrics) RETURNING *)
                INSERT INTO daily_activity_metrics_archive SELECT * FROM moved
                """)
            let observations = try connection.execute("DELETE FROM wsync.rate_limit_observations WHERE \(Self.oldObservations)")
            let runs = try connection.execute("DELETE FROM wsync.sync_runs WHERE \(Self.oldRuns)")
            // The dashboard's buckets are derived from the history and read for the last day only.
            try connection.execute("DELETE FROM wsync.sync_run_buckets WHERE bucket_start < now() - \(SyncRunBucketSQL.kept)")
            try connection.execute("DELETE FROM wsync.rate_limit_buckets WHERE bucket_start < now() - \(RateLimitBucketSQL.kept)")
            try connection.executeScript(JobClockCountsSQL.fold)
            let counts = CleanupCounts(expiredCacheEntries: deleted, archivedMetrics: archived,
                                       prunedRateLimitObservations: observations, prunedSyncRuns: runs)
            let summary = "cleaned \(counts.summary)"
            let affected = deleted + archived + observations + runs
            let id = try AuditLog.record(connection, actor: actor, action: .cleanup, summary: summary, affectedRows: affected)
            return (counts, ActionOutcome(actionId: id, action: .cleanup, affectedRows: affected, summary: summary))
        } }
    }

    /// Expired more than 7 days ago.
    static let expiredCache: SQL = "expires_at < now() - interval '7 days'"
    /// Days more than 90 days before today (the guide compares a date with a timestamp, which also takes day 90).
    static let oldMetrics: SQL = "date < current_date - 90"
    static let oldObservations: SQL = "observed_at < now() - interval '7 days'"
    static let oldRuns: SQL = "started_at < now() - interval '90 days'"
}
