import Foundation
import Postgres

/// The guide's performance audit, from wsync's own sync-run history instead of grepping function logs:
/// duration statistics of finished runs in a time window. P50/P95 are observed durations (percentile_disc).
public struct PerformanceAudit: TabularRow, Equatable {
    public var runs: Int
    public var minMs: Int?
    public var maxMs: Int?
    public var avgMs: Double?
    public var p50Ms: Int?
    public var p95Ms: Int?
    public var failedRuns: Int

    public static func fetch(_ connection: Connection, since: TimeSpan = TimeSpan(seconds: 30 * 86_400)) throws -> PerformanceAudit {
        try ReadModelQuery.fetch(connection, query(since: since))
    }

    public static func query(since: TimeSpan) -> SQL {
        """
        SELECT json_build_object(
            'runs', count(*), 'min_ms', min(duration_ms), 'max_ms', max(duration_ms),
            'avg_ms', round(avg(duration_ms), 1),
            'p50_ms', percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms),
            'p95_ms', percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms),
            'failed_runs', count(*) FILTER (WHERE status = 'failed'))
        FROM wsync.sync_runs
        WHERE duration_ms IS NOT NULL AND started_at > now() - \(since.seconds) * interval '1 second'
        """
    }

    public static let columns = ["runs", "min_ms", "max_ms", "avg_ms", "p50_ms", "p95_ms", "failed_runs"]
    public var cells: [String] {
        [String(runs), Cell.int(minMs), Cell.int(maxMs), Cell.number(avgMs, decimals: 1), Cell.int(p50Ms), Cell.int(p95Ms),
         String(failedRuns)]
    }
}
