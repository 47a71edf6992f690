import Foundation
import Postgres

/// The guide's cost analysis per workspace: estimated monthly syncs and API calls of its active jobs in exact
/// arithmetic (the guide's `24 / sync_frequency_hours` is integer division), beside the calls actually recorded
/// in the last 30 days.
public struct CostAnalysis: TabularRow, Equatable {
    public var workspaceId: UUID
    public var name: String
    public var tier: String
    public var repos: Int
    public var estimatedMonthlySyncs: Double
    public var estimatedApiCalls: Double
    /// API calls recorded in the sync-run history of the last 30 days.
    public var recordedApiCalls: Int

    public static func fetch(_ connection: Connection) throws -> [CostAnalysis] {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        SELECT coalesce(json_agg(json_build_object(
                   'workspace_id', c.id, 'name', c.name, 'tier', c.tier, 'repos', c.repos,
                   'estimated_monthly_syncs', c.syncs, 'estimated_api_calls', c.syncs * \(CostModel.callsPerSync)::int,
                   'recorded_api_calls', coalesce(a.calls, 0))
                   ORDER BY c.syncs DESC, c.name), '[]')
        FROM (
            SELECT w.id, w.name, w.tier, count(wtr.id) AS repos, sum(24.0 / wtr.sync_frequency_hours * 30)::float8 AS syncs
            FROM workspaces w JOIN \(JobRows.nullSafe) wtr ON w.id = wtr.workspace_id
            WHERE wtr.is_active
            GROUP BY w.id
        ) c
        LEFT JOIN (
            SELECT workspace_id, sum(api_calls) AS calls FROM wsync.sync_runs
            WHERE started_at > now() - interval '30 days' GROUP BY workspace_id
        ) a ON a.workspace_id = c.id
        """

    public static let columns = ["name", "tier", "repos", "estimated_monthly_syncs", "estimated_api_calls", "recorded_api_calls"]
    public var cells: [String] {
        [name, tier, String(repos), Cell.number(estimatedMonthlySyncs), Cell.number(estimatedApiCalls), String(recordedApiCalls)]
    }
}
