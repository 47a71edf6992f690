import Foundation
import Postgres

/// The guide's weekly sync statistics, per day of the last 7, from wsync's sync-run history: every sync counts,
/// not only each job's latest one (the guide's query sees only `last_sync_at`).
public struct WeeklyStats: TabularRow, Equatable {
    public var syncDate: CalendarDay
    public var totalSyncs: Int
    public var successfulSyncs: Int
    public var failedSyncs: Int
    public var avgIssuesPerSync: Double
    public var apiCalls: Int

    public static func fetch(_ connection: Connection) throws -> [WeeklyStats] {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        SELECT coalesce(json_agg(json_build_object(
                   'sync_date', d.sync_date, 'total_syncs', d.total, 'successful_syncs', d.successful,
                   'failed_syncs', d.failed, 'avg_issues_per_sync', d.avg_issues, 'api_calls', d.api_calls)
                   ORDER BY d.sync_date DESC), '[]')
        FROM (
            SELECT date_trunc('day', started_at)::date AS sync_date, count(*) AS total,
                   count(*) FILTER (WHERE status = 'success') AS successful,
                   count(*) FILTER (WHERE status = 'failed') AS failed,
                   round(avg(issues_fetched), 2) AS avg_issues, sum(api_calls) AS api_calls
            FROM wsync.sync_runs WHERE started_at > now() - interval '7 days'
            GROUP BY 1
        ) d
        """

    public static let columns = ["sync_date", "total_syncs", "successful_syncs", "failed_syncs", "avg_issues_per_sync", "api_calls"]
    public var cells: [String] {
        [syncDate.description, String(totalSyncs), String(successfulSyncs), String(failedSyncs),
         Cell.number(avgIssuesPerSync), String(apiCalls)]
    }
}
