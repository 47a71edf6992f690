import Foundation
import Postgres

/// One sync job in full, with what a CLI command needs to name it (the dashboard's row detail): its ids, schedule,
/// lease, last outcome and recent runs. NULLs read as `JobDefaults` says.
public struct JobDetail: Codable, Sendable, Equatable {
    public var jobId: UUID
    public var workspaceId: UUID
    public var workspace: String
    public var trackedRepositoryId: UUID
    public var repository: String?
    public var isActive: Bool
    public var priorityScore: Int
    public var syncFrequencyHours: Int
    public var nextSyncAt: Date?
    public var lastSyncAt: Date?
    public var lastAttemptAt: Date?
    public var lastSyncStatus: String?
    public var lastSyncError: String?
    public var syncAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var totalIssuesFetched: Int
    /// Newest first.
    public var runs: [SyncRun]

    /// Nil when no job has this id (any more).
    public static func fetch(_ connection: Connection, job: UUID, runs: Int = 10) throws -> JobDetail? {
        try ReadModelQuery.fetch(connection, query(job: job, runs: runs))
    }

    public static func query(job: UUID, runs: Int) -> SQL {
        """
        SELECT coalesce((SELECT json_build_object(
                   'job_id', wtr.id, 'workspace_id', wtr.workspace_id, 'workspace', coalesce(w.name, w.slug, w.id::text),
                   'tracked_repository_id', wtr.tracked_repository_id, 'repository', r.full_name,
                   'is_active', wtr.is_active, 'priority_score', wtr.priority_score,
                   'sync_frequency_hours', wtr.sync_frequency_hours, 'next_sync_at', wtr.next_sync_at,
                   'last_sync_at', wtr.last_sync_at, 'last_attempt_at', wtr.last_attempt_at,
                   'last_sync_status', wtr.last_sync_status, 'last_sync_error', wtr.last_sync_error,
                   'sync_attempts', wtr.sync_attempts, 'lease_owner', wtr.lease_owner, 'lease_expires_at', wtr.lease_expires_at,
                   'total_issues_fetched', wtr.total_issues_fetched,
                   'runs', (\(SyncRun.recentQuery(job: job, limit: runs))))
        FROM \(JobRows.nullSafe) wtr
        JOIN workspaces w ON w.id = wtr.workspace_id
        LEFT JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
        LEFT JOIN repositories r ON r.id = tr.repository_id
        WHERE wtr.id = \(job)), 'null'::json)
        """
    }
}
