import Foundation
import Postgres

extension Operations {
    /// The guide's Step 2: a sync job for every workspace repository that lacks one (creating its
    /// tracked_repositories row if needed), with the workspace tier's defaults. Safe to run twice.
    public func link() throws -> ActionOutcome {
        try validateActor()
        return try connection.transaction { connection in
            let row = try connection.query("""
                WITH new_tracked AS (
                    INSERT INTO tracked_repositories (repository_id)
                    SELECT DISTINCT wr.repository_id FROM workspace_repositories wr
                    WHERE NOT EXISTS (SELECT 1 FROM tracked_repositories tr WHERE tr.repository_id = wr.repository_id)
                    ON CONFLICT (repository_id) DO NOTHING
                    RETURNING id, repository_id
                ), tracked AS (
                    SELECT id, repository_id FROM tracked_repositories UNION ALL SELECT id, repository_id FROM new_tracked
                ), defaults AS (
                    SELECT * FROM unnest(\(Tier.allCases.map(\.rawValue))::text[], \(Tier.allCases.map(\.defaultFrequencyHours))::int[],
                                         \(Tier.allCases.map(\.defaultPriority))::int[]) AS d(tier, hours, priority)
                ), linked AS (
                    INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, sync_frequency_hours,
                        data_retention_days, priority_score, fetch_issues, is_active, added_by, next_sync_at)
                    SELECT wr.workspace_id, t.id, coalesce(d.hours, 24),
                           least(\(JobLimits.retentionDays.upperBound)::int,
                                 greatest(\(JobLimits.retentionDays.lowerBound)::int, coalesce(w.data_retention_days, 30))),
                           -- Production tables may leave these NULL, or (added_by) not have the column at all.
                           coalesce(d.priority, 30), coalesce(r.has_issues, true), coalesce(w.is_active, true),
                           (to_jsonb(wr) ->> 'added_by')::uuid, now()
                    FROM workspace_repositories wr
                    JOIN workspaces w ON w.id = wr.workspace_id
                    JOIN repositories r ON r.id = wr.repository_id
                    JOIN tracked t ON t.repository_id = wr.repository_id
                    LEFT JOIN defaults d ON d.tier = w.tier
                    WHERE NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories x
                                      WHERE x.workspace_id = wr.workspace_id AND x.tracked_repository_id = t.id)
                    ON CONFLICT (workspace_id, tracked_repository_id) DO NOTHING
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM new_tracked)::int AS tracked, (SELECT count(*) FROM linked)::int AS linked
                """)[0]
            let linked = try row.decode("linked", as: Int.self)
            let tracked = try row.decode("tracked", as: Int.self)
            let summary = "linked \(counted(linked, "workspace repository", plural: "workspace repositories")) (\(counted(tracked, "repository", plural: "repositories")) newly tracked)"
            let id = try AuditLog.record(connection, actor: actor, action: .link, summary: summary, affectedRows: linked)
            return ActionOutcome(actionId: id, action: .link, affectedRows: linked, summary: summary)
        }
    }
}
