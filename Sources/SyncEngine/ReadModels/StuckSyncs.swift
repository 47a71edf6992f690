import Foundation
import Postgres

/// Active rows that should have synced long ago: overdue by more than the threshold (the guide's stuck-sync query,
/// `wsync stuck`), and with `includeExpiredLeases` (the dashboard's Stuck repos pane, `wsync stuck
/// --include-expired-leases`) also due rows whose worker's lease expired before it finished. A lease that expired
/// on a row not yet due holds nothing up (any worker may take the row when it is due), so it is not listed.
public struct StuckSync: Codable, Sendable, Equatable {
    public enum Reason: String, Codable, Sendable {
        case overdue
        case leaseExpired = "lease_expired"
    }

    public var jobId: UUID
    public var workspaceId: UUID
    public var trackedRepositoryId: UUID
    public var workspace: String
    public var fullName: String
    public var lastSyncAt: Date?
    public var nextSyncAt: Date?
    public var syncAttempts: Int
    public var overdueHours: Double?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var reason: Reason

    public static func fetch(_ connection: Connection, olderThan: TimeSpan = .hours(2), limit: Int = 10,
                             includeExpiredLeases: Bool = false) throws -> [StuckSync] {
        guard limit > 0 else { throw WSyncError.invalidInput(.limit, value: String(limit), rule: "must be at least 1") }
        return try ReadModelQuery.fetch(connection, query(olderThan: olderThan, limit: limit, includeExpiredLeases: includeExpiredLeases))
    }

    /// Picks the rows on the job table first, in the index's order (`wsync_wtr_overdue_order_idx` for overdue rows,
    /// the lease index for expired leases), each branch stopping at the limit; only the rows shown are then joined
    /// and read in full. Ties in `next_sync_at` are listed by job id. (A job whose tracked repository has no
    /// repository row, which production's nullable key allows, takes its place in the list but is not shown.)
    public static func query(olderThan: TimeSpan, limit: Int, includeExpiredLeases: Bool = false) -> SQL {
        """
        -- Each row as its record, whose column names are the keys: cheaper than building every object key by key.
        SELECT coalesce(json_agg(s ORDER BY s.next_sync_at NULLS FIRST, s.job_id), '[]')
        FROM (
            SELECT wtr.id AS job_id, wtr.workspace_id, wtr.tracked_repository_id, coalesce(w.name, w.slug, w.id::text) AS workspace,
                   r.full_name,
                   wtr.last_sync_at, wtr.next_sync_at, wtr.sync_attempts,
                   -- NULL when not yet due: a lease can expire before its row is due.
                   CASE WHEN wtr.next_sync_at < now()
                        THEN round((EXTRACT(EPOCH FROM (now() - wtr.next_sync_at)) / 3600)::numeric, 2) END AS overdue_hours,
                   wtr.lease_owner, wtr.lease_expires_at,
                   CASE WHEN wtr.lease_owner IS NOT NULL AND wtr.lease_expires_at <= now() THEN 'lease_expired'
                        ELSE 'overdue' END AS reason
            FROM (
                SELECT picked.id FROM (
                    (SELECT id, next_sync_at FROM workspace_tracked_repositories
                     WHERE is_active AND next_sync_at < now() - \(olderThan.seconds) * interval '1 second'
                     ORDER BY next_sync_at, id LIMIT \(limit))
                    -- Without the rows the first branch is for, so that no row is in both and no pass removes
                    -- duplicates (one that branch leaves out past its limit follows a limit's worth listed anyway).
                    UNION ALL
                    (SELECT id, next_sync_at FROM workspace_tracked_repositories
                     WHERE \(includeExpiredLeases) AND is_active AND lease_owner IS NOT NULL AND lease_expires_at <= now()
                       AND (next_sync_at IS NULL
                            OR (next_sync_at <= now() AND next_sync_at >= now() - \(olderThan.seconds) * interval '1 second'))
                     ORDER BY next_sync_at NULLS FIRST, id LIMIT \(limit))
                ) picked
                ORDER BY picked.next_sync_at NULLS FIRST, picked.id LIMIT \(limit)
            ) shown
            JOIN \(JobRows.nullSafe) wtr ON wtr.id = shown.id
            JOIN workspaces w ON w.id = wtr.workspace_id
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id
        ) s
        """
    }
}
