import Foundation
import Postgres

/// Per tier: workspaces, repositories tracked against those allowed, issues synced and the estimated monthly GitHub
/// API calls (the dashboard's Tier usage pane). Every tier is listed, also when empty.
public struct TierUsage: TabularRow, Equatable {
    public var tier: String
    public var workspaces: Int
    public var repositoriesTracked: Int
    public var repositoriesAllowed: Int
    public var activeJobs: Int
    public var issuesSynced: Int
    /// 24 / frequency × 30 syncs per active row, in exact arithmetic (the guide's integer division truncates).
    public var estimatedMonthlySyncs: Double
    /// Estimated syncs × `CostModel.callsPerSync`, as in the guide.
    public var estimatedMonthlyApiCalls: Double

    public static func fetch(_ connection: Connection) throws -> [TierUsage] {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let columns = ["tier", "workspaces", "repositories_tracked", "repositories_allowed", "active_jobs",
                                 "issues_synced", "estimated_monthly_syncs", "estimated_monthly_api_calls"]
    public var cells: [String] {
        [tier, String(workspaces), String(repositoriesTracked), String(repositoriesAllowed), String(activeJobs),
         String(issuesSynced), Cell.number(estimatedMonthlySyncs), Cell.number(estimatedMonthlyApiCalls)]
    }

    public static let query: SQL = """
        SELECT json_agg(json_build_object(
                   'tier', t.tier, 'workspaces', coalesce(w.workspaces, 0),
                   'repositories_tracked', coalesce(j.tracked, 0), 'repositories_allowed', coalesce(w.allowed, 0),
                   'active_jobs', coalesce(j.active, 0), 'issues_synced', coalesce(j.issues, 0),
                   'estimated_monthly_syncs', coalesce(j.monthly_syncs, 0),
                   'estimated_monthly_api_calls', coalesce(j.monthly_syncs, 0) * \(CostModel.callsPerSync))
                   ORDER BY t.position)
        FROM (\(Tier.existingQuery)) AS t
        LEFT JOIN (
            SELECT tier, count(*) AS workspaces, sum(max_repositories) AS allowed FROM workspaces GROUP BY tier
        ) w ON w.tier = t.tier
        LEFT JOIN (
            SELECT ws.tier, count(*) AS tracked, count(*) FILTER (WHERE wtr.is_active) AS active,
                   sum(wtr.total_issues_fetched) AS issues,
                   (sum(24.0 / wtr.sync_frequency_hours * 30) FILTER (WHERE wtr.is_active))::float8 AS monthly_syncs
            FROM \(JobRows.nullSafe) wtr JOIN workspaces ws ON ws.id = wtr.workspace_id
            GROUP BY ws.tier
        ) j ON j.tier = t.tier
        """
}

/// The guide's cost model: a sync costs about this many GitHub API calls.
public enum CostModel {
    public static let callsPerSync = 5
}
