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

    /// From the rollup its triggers keep (`JobRollupSQL`): no scan of the job or workspace table.
    public static let query: SQL = """
        SELECT json_agg(json_build_object(
                   'tier', t.tier, 'workspaces', coalesce(r.workspaces, 0),
                   'repositories_tracked', coalesce(r.tracked, 0), 'repositories_allowed', coalesce(r.allowed, 0),
                   'active_jobs', coalesce(r.active, 0), 'issues_synced', coalesce(r.issues, 0),
                   'estimated_monthly_syncs', coalesce(r.monthly_syncs, 0),
                   'estimated_monthly_api_calls', coalesce(r.monthly_syncs, 0) * \(CostModel.callsPerSync))
                   ORDER BY t.position)
        FROM (\(Tier.existingQuery(held: "SELECT tier FROM wsync.job_rollup WHERE tier <> '' GROUP BY tier HAVING sum(workspaces) > 0"))) AS t
        LEFT JOIN (
            SELECT tier, sum(workspaces) AS workspaces, sum(repositories_allowed) AS allowed, sum(jobs) AS tracked,
                   sum(active) AS active, sum(issues) AS issues, sum(active_monthly_syncs)::float8 AS monthly_syncs
            FROM wsync.job_rollup GROUP BY tier
        ) r ON r.tier = t.tier
        """
}

/// The guide's cost model: a sync costs about this many GitHub API calls.
public enum CostModel {
    public static let callsPerSync = 5
}
