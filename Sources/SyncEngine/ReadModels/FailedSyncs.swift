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

    public static func fetch(_ connection: Connection, workspace: UUID? = nil, limit: Int? = nil) throws -> [FailedSync] {
        try ReadModelQuery.fetch(connection, query(workspace: workspace, limit: limit))
    }

    /// How many rows `query` would list without a limit.
    static let countQuery: SQL = "SELECT count(*) FROM workspace_tracked_repositories WHERE last_sync_status = 'failed'"

    public static func query(workspace: UUID? = nil, limit: Int? = nil) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'job_id', f.id, 'workspace_id', f.workspace_id, 'tracked_repository_id', f.tracked_repository_id,
                   'workspace', f.workspace, 'repository', f.repository, 'last_sync_error', f.last_sync_error,
                   'sync_attempts', f.sync_attempts, 'last_attempt_at', f.last_attempt_at, 'last_sync_at', f.last_sync_at,
                   'next_sync_at', f.next_sync_at, 'is_active', f.is_active)
                   ORDER BY f.sync_attempts DESC, f.workspace, f.repository), '[]')
        FROM (
            SELECT wtr.id, wtr.workspace_id, wtr.tracked_repository_id, coalesce(w.name, w.slug, w.id::text) AS workspace, r.full_name AS repository,
                   wtr.last_sync_error, wtr.sync_attempts, wtr.last_attempt_at, wtr.last_sync_at, wtr.next_sync_at, wtr.is_active
            FROM \(JobRows.nullSafe) wtr
            JOIN workspaces w ON w.id = wtr.workspace_id
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id
            WHERE wtr.last_sync_status = 'failed'
              AND (\(workspace)::uuid IS NULL OR wtr.workspace_id = \(workspace)::uuid)
            ORDER BY wtr.sync_attempts DESC, w.name, r.full_name
            LIMIT \(limit)
        ) f
        """
    }
}
