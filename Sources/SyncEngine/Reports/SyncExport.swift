import Foundation
import Postgres

/// The guide's sync-metrics export: jobs synced within a time window.
public struct SyncExportRow: TabularRow, Equatable {
    public var workspace: String
    public var repository: String
    public var lastSyncAt: Date
    public var totalIssuesFetched: Int
    public var priorityScore: Int

    public static func fetch(_ connection: Connection, since: TimeSpan = .hours(24)) throws -> [SyncExportRow] {
        try ReadModelQuery.fetch(connection, query(since: since))
    }

    public static func query(since: TimeSpan) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'workspace', w.name, 'repository', r.full_name, 'last_sync_at', wtr.last_sync_at,
                   'total_issues_fetched', wtr.total_issues_fetched, 'priority_score', wtr.priority_score)
                   ORDER BY w.name, r.full_name), '[]')
        FROM \(JobRows.nullSafe) wtr
        JOIN workspaces w ON w.id = wtr.workspace_id
        JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
        JOIN repositories r ON r.id = tr.repository_id
        WHERE wtr.last_sync_at > now() - \(since.seconds) * interval '1 second'
        """
    }

    public static let columns = ["workspace", "repository", "last_sync_at", "total_issues_fetched", "priority_score"]
    public var cells: [String] {
        [workspace, repository, Cell.time(lastSyncAt), String(totalIssuesFetched), String(priorityScore)]
    }
}
