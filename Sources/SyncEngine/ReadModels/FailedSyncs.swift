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
        try (ReadModelQuery.fetch(connection, query(workspace: workspace, limit: limit)) as Columns).rows()
    }

    /// The list as `query` sends it: an array per field, in the list's order. Built in one pass with each type's
    /// conversion looked up once per column rather than once per value, and without repeating every key on every
    /// row: about a tenth of the failed pane's cost at 200 rows.
    struct Columns: Decodable {
        var jobId: [UUID]
        var workspaceId: [UUID]
        var trackedRepositoryId: [UUID]
        var workspace: [String]
        var repository: [String]
        var lastSyncError: [String?]
        var syncAttempts: [Int]
        var lastAttemptAt: [Date?]
        var lastSyncAt: [Date?]
        var nextSyncAt: [Date?]
        var isActive: [Bool]
        var queuedForRetry: [Bool]

        /// The rows, zipped from the columns (which one aggregate pass fills alike; a reply that differs is refused).
        func rows() throws -> [FailedSync] {
            let counts = [workspaceId.count, trackedRepositoryId.count, workspace.count, repository.count, lastSyncError.count,
                          syncAttempts.count, lastAttemptAt.count, lastSyncAt.count, nextSyncAt.count, isActive.count, queuedForRetry.count]
            guard counts.allSatisfy({ $0 == jobId.count }) else {
                throw PostgresError.unreadableJSON(column: "failed", reason: "the failed list's columns differ in length")
            }
            return jobId.indices.map { i in
                FailedSync(jobId: jobId[i], workspaceId: workspaceId[i], trackedRepositoryId: trackedRepositoryId[i],
                           workspace: workspace[i], repository: repository[i], lastSyncError: lastSyncError[i],
                           syncAttempts: syncAttempts[i], lastAttemptAt: lastAttemptAt[i], lastSyncAt: lastSyncAt[i],
                           nextSyncAt: nextSyncAt[i], isActive: isActive[i], queuedForRetry: queuedForRetry[i])
            }
        }
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
        SELECT json_build_object(\(columns))
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
            -- The aggregates read the rows in this order: nothing (a join, a grouping) comes between them and it.
            ORDER BY wtr.sync_attempts DESC, wtr.last_attempt_at DESC NULLS LAST, wtr.id
        ) f
        """
    }

    /// `key, array of f.column` for each of `Columns`' fields (an empty array, not NULL, for no rows).
    private static let columns: SQL = """
        'job_id', coalesce(array_agg(f.job_id), '{}'), 'workspace_id', coalesce(array_agg(f.workspace_id), '{}'),
        'tracked_repository_id', coalesce(array_agg(f.tracked_repository_id), '{}'),
        'workspace', coalesce(array_agg(f.workspace), '{}'), 'repository', coalesce(array_agg(f.repository), '{}'),
        'last_sync_error', coalesce(array_agg(f.last_sync_error), '{}'),
        'sync_attempts', coalesce(array_agg(f.sync_attempts), '{}'),
        'last_attempt_at', coalesce(array_agg(f.last_attempt_at), '{}'),
        'last_sync_at', coalesce(array_agg(f.last_sync_at), '{}'), 'next_sync_at', coalesce(array_agg(f.next_sync_at), '{}'),
        'is_active', coalesce(array_agg(f.is_active), '{}'), 'queued_for_retry', coalesce(array_agg(f.queued_for_retry), '{}')
        """
}
