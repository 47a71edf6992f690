import Foundation
import Postgres

/// The guide's frequency-adjustment candidates: jobs whose repository had more than `minIssues` issues created in
/// the last 7 days. Issues are counted per repository first (the guide's join counts them once per tracking job).
public struct FrequencyCandidate: TabularRow, Equatable {
    public var jobId: UUID
    public var workspace: String
    public var fullName: String
    public var tier: String
    public var syncFrequencyHours: Int
    public var issuesLastWeek: Int

    public static func fetch(_ connection: Connection, minIssues: Int = 50) throws -> [FrequencyCandidate] {
        guard minIssues >= 0 else { throw WSyncError.invalidInput(.minIssues, value: String(minIssues), rule: "must be 0 or more") }
        return try ReadModelQuery.fetch(connection, query(minIssues: minIssues))
    }

    public static func query(minIssues: Int) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'job_id', wtr.id, 'workspace', w.name, 'full_name', r.full_name, 'tier', w.tier,
                   'sync_frequency_hours', wtr.sync_frequency_hours, 'issues_last_week', i.issues)
                   ORDER BY i.issues DESC, r.full_name, w.name), '[]')
        FROM (
            SELECT repository_id, count(*) AS issues FROM issues
            WHERE created_at > now() - interval '7 days' GROUP BY repository_id HAVING count(*) > \(minIssues)::int
        ) i
        JOIN repositories r ON r.id = i.repository_id
        JOIN tracked_repositories tr ON tr.repository_id = r.id
        JOIN \(JobRows.nullSafe) wtr ON wtr.tracked_repository_id = tr.id
        JOIN workspaces w ON w.id = wtr.workspace_id
        """
    }

    public static let columns = ["workspace", "full_name", "tier", "sync_frequency_hours", "issues_last_week"]
    public var cells: [String] { [workspace, fullName, tier, String(syncFrequencyHours), String(issuesLastWeek)] }
}
