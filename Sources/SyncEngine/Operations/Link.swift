import Foundation
import Postgres

extension Operations {
    /// The guide's Step 2: a sync job for every workspace repository that lacks one (creating its
    /// tracked_repositories row if needed), with the workspace tier's defaults. Safe to run twice, and beside the
    /// app's trigger, which creates jobs of its own (every 24 h, priority 50): those keep their settings unless
    /// `applyTierDefaults`, which gives every existing job its tier's frequency and priority (undoable).
    ///
    /// A job's `added_by` is the workspace repository's, else (the adder's account was deleted, so production set
    /// it NULL) the workspace's owner.
    public func link(applyTierDefaults: Bool = false) throws -> ActionOutcome {
        try validateActor()
        let defaults = Tier.defaultsTable(try Tier.existing(connection))
        let fallback = Tier.fallbackDefaults
        return try audited(.link, ["apply_tier_defaults": String(applyTierDefaults)]) { try connection.transaction { connection in
            try Self.serializeActions(connection)
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
                    SELECT * FROM unnest(\(defaults.names)::text[], \(defaults.hours)::int[], \(defaults.priorities)::int[])
                        AS d(tier, hours, priority)
                ), linked AS (
                    INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, sync_frequency_hours,
                        data_retention_days, priority_score, fetch_issues, is_active, added_by, next_sync_at)
                    SELECT wr.workspace_id, t.id, coalesce(d.hours, \(fallback.frequencyHours)),
                           least(\(JobLimits.retentionDays.upperBound)::int,
                                 greatest(\(JobLimits.retentionDays.lowerBound)::int,
                                          coalesce(w.data_retention_days, \(JobDefaults.retentionDays)))),
                           coalesce(d.priority, \(fallback.priority)), coalesce(r.has_issues, true), coalesce(w.is_active, true),
                           -- Older tables may not have the column at all; to_jsonb reads it where it exists.
                           coalesce((to_jsonb(wr) ->> 'added_by')::uuid, w.owner_id), now()
                    FROM workspace_repositories wr
                    JOIN workspaces w ON w.id = wr.workspace_id
                    JOIN repositories r ON r.id = wr.repository_id
                    JOIN tracked t ON t.repository_id = wr.repository_id
                    LEFT JOIN defaults d ON d.tier = w.tier
                    WHERE NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories x
                                      WHERE x.workspace_id = wr.workspace_id AND x.tracked_repository_id = t.id)
                    ON CONFLICT (workspace_id, tracked_repository_id) DO NOTHING
                    RETURNING id
                ), target AS (
                    -- Jobs that existed before this statement (rows `linked` inserts are not visible here).
                    SELECT wtr.id, wtr.sync_frequency_hours AS before_hours, wtr.priority_score AS before_priority,
                           coalesce(d.hours, \(fallback.frequencyHours)) AS after_hours,
                           coalesce(d.priority, \(fallback.priority)) AS after_priority
                    FROM workspace_tracked_repositories wtr
                    JOIN workspaces w ON w.id = wtr.workspace_id
                    LEFT JOIN defaults d ON d.tier = w.tier
                    WHERE \(applyTierDefaults)::boolean
                    FOR UPDATE OF wtr
                ), changed AS (
                    UPDATE workspace_tracked_repositories w
                    SET sync_frequency_hours = t.after_hours, priority_score = t.after_priority
                    FROM target t
                    WHERE w.id = t.id AND (t.before_hours, t.before_priority) IS DISTINCT FROM (t.after_hours, t.after_priority)
                    RETURNING w.id,
                              jsonb_build_object('sync_frequency_hours', t.before_hours, 'priority_score', t.before_priority) AS before,
                              jsonb_build_object('sync_frequency_hours', t.after_hours, 'priority_score', t.after_priority) AS after
                ), counts AS (
                    SELECT (SELECT count(*) FROM new_tracked)::int AS tracked, (SELECT count(*) FROM linked)::int AS linked
                )
                SELECT counts.*, summary.* FROM counts, (\(RowChangeSQL.summary)) summary
                """)[0]
            let linked = try row.decode("linked", as: Int.self)
            let tracked = try row.decode("tracked", as: Int.self)
            let retuned = try row.decode("affected", as: Int.self)
            var summary = "linked \(counted(linked, "workspace repository", plural: "workspace repositories")) (\(counted(tracked, "repository", plural: "repositories")) newly tracked)"
            if applyTierDefaults {
                summary += "; gave \(counted(retuned, "existing job")) their tier's frequency and priority"
            }
            // Only the defaults given to existing jobs can be undone; the jobs it created stay.
            let previousState = retuned > 0
                ? AuditLog.PreviousState(field: .schedule, rows: try row.decode("rows", as: JSONText.self)) : nil
            let id = try AuditLog.record(connection, actor: actor, action: .link,
                                         parameters: ["apply_tier_defaults": String(applyTierDefaults)], summary: summary,
                                         affectedRows: linked + retuned, previousState: previousState)
            return ActionOutcome(actionId: id, action: .link, affectedRows: linked + retuned, summary: summary,
                                 undoable: AuditLog.isUndoable(.link, previousState: previousState, affectedRows: retuned), jobIds: try row.decode("ids", as: [UUID].self))
        } }
    }
}
