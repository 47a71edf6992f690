import Foundation
import Postgres

/// Rows whose last sync failed, most attempts first (`wsync failed`, the dashboard's Failed syncs pane).
public struct FailedSync: Codable, Sendable, Equatable {
    public var jobId: UUID
    public var workspaceId: UUID
    public var trackedRepositoryId: UUID
    public var workspace: String
    public var repository: String
    public var lastSyncError: String?
    public var syncAttempts: Int
    public var lastAttemptAt: Date?
    public var lastSyncAt: Date?
    public var nextSyncAt: Date?
    public var isActive: Bool
    /// Reset since it failed and not synced since (`ResetRule.queuedForRetry`): attempts 0, no error; the next
    /// sync decides. A reset leaves such rows alone.
    public var queuedForRetry: Bool

    public static func fetch(_ connection: Connection, workspace: UUID? = nil, limit: Int? = nil) throws -> [FailedSync] {
        try ReadModelQuery.fetch(connection, query(workspace: workspace, limit: limit))
    }

    /// How many rows `query` would list without a limit, as the job table's trigger keeps the count
    /// (`JobClockCountsSQL`; counting the failed rows took 11 ms at 1,000,000 jobs).
    static let countQuery: SQL = "SELECT coalesce(sum(jobs), 0) FROM wsync.job_clock_counts WHERE kind = 'failed'"

    /// How many of those are queued for retry.
    static let queuedCountQuery: SQL = """
        SELECT count(*) FROM workspace_tracked_repositories wtr
        WHERE wtr.last_sync_status = 'failed' AND \(ResetRule.queuedForRetry)
        """

    /// Most attempts first, then the latest failure first, then by job id: an order the job table's own index
    /// (`wsync_wtr_failed_order_idx`) keeps, so a limit is applied before any workspace or repository is looked up
    /// (ordering ties by name made the dashboard join every tied row — over a thousand at 100,000 jobs — to show 200).
    public static func query(workspace: UUID? = nil, limit: Int? = nil) -> SQL {
        """
        -- Each row as its record, whose column names are the keys: cheaper than building every object key by key.
        SELECT coalesce(json_agg(f ORDER BY f.sync_attempts DESC, f.last_attempt_at DESC NULLS LAST, f.job_id), '[]')
        FROM (
            SELECT wtr.id AS job_id, wtr.workspace_id, wtr.tracked_repository_id,
                   coalesce(w.name, w.slug, w.id::text) AS workspace, r.full_name AS repository, wtr.last_sync_error,
                   wtr.sync_attempts, wtr.last_attempt_at, wtr.last_sync_at, wtr.next_sync_at, wtr.is_active,
                   \(ResetRule.queuedForRetry) AS queued_for_retry
            FROM (SELECT * FROM \(JobRows.nullSafe) wtr
                  WHERE last_sync_status = 'failed'
                    AND (\(workspace)::uuid IS NULL OR workspace_id = \(workspace)::uuid)
                  ORDER BY sync_attempts DESC, last_attempt_at DESC NULLS LAST, id
                  LIMIT \(limit)) wtr
            -- Looked up by key for each listed row (OFFSET 0 keeps the planner from turning the lookups into hash
            -- joins over every workspace and repository).
            JOIN LATERAL (SELECT name, slug, id FROM workspaces WHERE id = wtr.workspace_id OFFSET 0) w ON true
            JOIN LATERAL (SELECT repository_id FROM tracked_repositories WHERE id = wtr.tracked_repository_id OFFSET 0) tr ON true
            JOIN LATERAL (SELECT full_name FROM repositories WHERE id = tr.repository_id OFFSET 0) r ON true
        ) f
        """
    }
}
