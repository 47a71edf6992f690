import Foundation
import Postgres

extension Operations {
    /// Rate-limit emergency step 2: multiplies the frequency of active jobs by `factor`, at least `minHours`,
    /// never above the 168-hour limit (the guide's GREATEST(h * 2, 48) could exceed it). Undoable.
    public func slowDown(factor: Double = 2, minHours: Int = 48) throws -> ActionOutcome {
        guard factor.isFinite, factor >= 1, factor <= 168 else {
            throw WSyncError.invalidInput(.factor, value: String(factor), rule: "must be between 1 and 168 (it multiplies the hours between syncs)")
        }
        try JobLimits.validateFrequency(minHours, as: .minHours)
        try validateActor()
        return try audited(.slowDown, ["factor": String(factor), "min_hours": String(minHours)]) { try applyRowChange("""
            WITH target AS (
                SELECT wtr.id, wtr.sync_frequency_hours AS before_hours,
                       least(\(JobLimits.frequencyHours.upperBound)::int,
                             greatest(ceil(coalesce(wtr.sync_frequency_hours, \(JobDefaults.frequencyHours)) * \(factor)::float8)::int,
                                      \(minHours)::int)) AS after_hours
                FROM workspace_tracked_repositories wtr WHERE wtr.is_active FOR UPDATE
            ), changed AS (
                UPDATE workspace_tracked_repositories w SET sync_frequency_hours = t.after_hours
                FROM target t WHERE w.id = t.id AND t.after_hours IS DISTINCT FROM t.before_hours
                RETURNING w.id, jsonb_build_object('sync_frequency_hours', t.before_hours) AS before,
                          jsonb_build_object('sync_frequency_hours', t.after_hours) AS after
            )
            \(RowChangeSQL.summary)
            """, field: .frequency, action: .slowDown,
            parameters: ["factor": String(factor), "min_hours": String(minHours)]) { affected in
                "slowed down \(counted(affected, "active sync")): hours × \(factor), at least \(minHours), at most 168"
            } }
    }

    /// Rate-limit emergency step 3: deactivates the active jobs of up to `limit` workspaces of `tier` — those with
    /// the most active jobs first. (The guide selects `workspace_id` from `workspaces`, which has no such column;
    /// this is what it means.) Undoable.
    public func pauseTier(_ tier: Tier, limit: Int = 50) throws -> ActionOutcome {
        guard limit >= 1 else { throw WSyncError.invalidInput(.limit, value: String(limit), rule: "must be at least 1 workspace") }
        try validateActor()
        let tier = try Tier.validated(tier.rawValue, on: connection)
        return try audited(.pauseTier, ["tier": tier.rawValue, "limit": String(limit)]) { try deactivate(where: """
            wtr.workspace_id IN (
                SELECT j.workspace_id FROM workspace_tracked_repositories j JOIN workspaces w ON w.id = j.workspace_id
                WHERE w.tier = \(tier.rawValue) AND j.is_active
                GROUP BY j.workspace_id ORDER BY count(*) DESC, j.workspace_id LIMIT \(limit))
            """, action: .pauseTier, parameters: ["tier": tier.rawValue, "limit": String(limit)]) { affected in
                "paused \(counted(affected, "active sync")) of up to \(counted(limit, "\(tier.rawValue) workspace"))"
            } }
    }

    /// The guide's bulk update: every job of the tier's workspaces syncs every `hours` hours. Undoable.
    public func setFrequency(tier: Tier, hours: Int) throws -> ActionOutcome {
        try JobLimits.validateFrequency(hours)
        try validateActor()
        let tier = try Tier.validated(tier.rawValue, on: connection)
        return try audited(.setFrequency, ["tier": tier.rawValue, "hours": String(hours)]) { try applyRowChange("""
            WITH target AS (
                SELECT wtr.id, wtr.sync_frequency_hours AS before_hours
                FROM workspace_tracked_repositories wtr JOIN workspaces w ON w.id = wtr.workspace_id
                WHERE w.tier = \(tier.rawValue) AND wtr.sync_frequency_hours IS DISTINCT FROM \(hours)::int
                FOR UPDATE OF wtr
            ), changed AS (
                UPDATE workspace_tracked_repositories w SET sync_frequency_hours = \(hours)::int FROM target t WHERE w.id = t.id
                RETURNING w.id, jsonb_build_object('sync_frequency_hours', t.before_hours) AS before,
                          jsonb_build_object('sync_frequency_hours', w.sync_frequency_hours) AS after
            )
            \(RowChangeSQL.summary)
            """, field: .frequency, action: .setFrequency, parameters: ["tier": tier.rawValue, "hours": String(hours)]) { affected in
                "set \(counted(affected, "\(tier.rawValue) sync")) to every \(counted(hours, "hour"))"
            } }
    }

    /// The guide's bulk update: jobs of workspaces that fetched more than `minTotalIssues` issues in total keep
    /// data for `days` days. Undoable.
    public func setRetention(days: Int, minTotalIssues: Int = 1000) throws -> ActionOutcome {
        try JobLimits.validateRetention(days)
        guard minTotalIssues >= 0 else { throw WSyncError.invalidInput(.minTotalIssues, value: String(minTotalIssues), rule: "must be 0 or more") }
        try validateActor()
        return try audited(.setRetention, ["days": String(days), "min_total_issues": String(minTotalIssues)]) { try applyRowChange("""
            WITH busy AS (
                SELECT workspace_id FROM workspace_tracked_repositories
                GROUP BY workspace_id HAVING coalesce(sum(total_issues_fetched), 0) > \(minTotalIssues)::bigint
            ), target AS (
                SELECT wtr.id, wtr.data_retention_days AS before_days
                FROM workspace_tracked_repositories wtr JOIN busy USING (workspace_id)
                WHERE wtr.data_retention_days IS DISTINCT FROM \(days)::int
                FOR UPDATE OF wtr
            ), changed AS (
                UPDATE workspace_tracked_repositories w SET data_retention_days = \(days)::int FROM target t WHERE w.id = t.id
                RETURNING w.id, jsonb_build_object('data_retention_days', t.before_days) AS before,
                          jsonb_build_object('data_retention_days', w.data_retention_days) AS after
            )
            \(RowChangeSQL.summary)
            """, field: .retention, action: .setRetention,
            parameters: ["days": String(days), "min_total_issues": String(minTotalIssues)]) { affected in
                "set retention of \(counted(affected, "sync")) in workspaces with more than \(minTotalIssues) issues to \(days) days"
            } }
    }
}
