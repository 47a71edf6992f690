import Foundation
import Postgres

/// What an action that syncs rows (`wsync sync`, `retry`, the dashboard's `s`/`S`) or makes them due (a reset, whose
/// rows the workers then sync) is expected to cost in GitHub API calls, against the budget left. Asked before the
/// action, so that whoever confirms sees the count and the cost; the CLI's prompts and the dashboard's dialogs word
/// the same numbers and the same verdict.
public struct SyncEstimate: Codable, Sendable, Equatable {
    /// The rows the action would sync (for a reset: change, and so make due).
    public var rows: Int
    /// "owner/name (workspace)" of the first rows, by name.
    public var names: [String]
    /// Rows a reset leaves alone because they are already queued for retry (0 for a sync).
    public var alreadyReset: Int
    /// The estimate: each row's last finished run's calls, `CostModel.callsPerSync` for a row without one.
    public var apiCalls: Int
    /// Rows whose estimate comes from a run of theirs.
    public var rowsWithHistory: Int
    /// GitHub requests left across the pool at the last reading (nil before any).
    public var remaining: Int?
    public var resetAt: Date?
    /// The live workers' reserve: they stop claiming at this many left (nil without a live worker).
    public var reserve: Int?

    /// The budget after the action, if it costs what is estimated.
    public var leaves: Int? { remaining.map { $0 - apiCalls } }

    /// How the estimate compares with the budget.
    public enum Verdict: Equatable, Sendable {
        /// No rate-limit reading yet.
        case unknown
        /// It fits and leaves the workers' reserve.
        case fits
        /// It fits GitHub's budget but eats into the workers' reserve: they stop claiming until the reset.
        case pastReserve
        /// It needs more than is left: GitHub refuses the rest until the reset.
        case pastBudget
    }

    public var verdict: Verdict {
        guard let leaves else { return .unknown }
        if leaves < 0 { return .pastBudget }
        if let reserve, leaves < reserve { return .pastReserve }
        return .fits
    }

    /// The cost against the budget, in one sentence: "about 78 API calls of the 171 left, leaving 93 (the workers'
    /// reserve is 10)", or what it passes.
    public var costText: String {
        let calls = "about \(counted(apiCalls, "API call"))"
        guard let remaining, let leaves else { return "\(calls) (no rate-limit reading yet: the budget left is unknown)" }
        switch verdict {
        case .pastBudget:
            return "\(calls), but only \(remaining) are left: GitHub refuses the rest until the reset"
        case .pastReserve:
            return "\(calls) of the \(remaining) left, leaving \(max(0, leaves)): under the workers' reserve of \(reserve ?? 0), "
                + "so they stop claiming until the reset"
        case .fits, .unknown:
            return "\(calls) of the \(remaining) left, leaving \(leaves)" + (reserve.map { " (the workers' reserve is \($0))" } ?? "")
        }
    }

    /// Where the estimate comes from: "from each row's last run", "5 a row: no runs yet".
    public var basisText: String {
        rowsWithHistory == rows ? "from each row's last run"
            : rowsWithHistory == 0 ? "at \(CostModel.callsPerSync) a row: no runs yet"
            : "from the rows' last runs, \(CostModel.callsPerSync) each for \(rows - rowsWithHistory) without one"
    }

    /// Before a manual sync of `selection`: the rows it would take, as `ManualSync` selects them.
    public static func forSync(_ selection: SyncSelection, _ connection: Connection) throws -> SyncEstimate {
        try fetch(connection, ids: try selection.matchingJobIDs(connection), alreadyReset: 0)
    }

    /// Before a reset: the rows it would change (rows already reset are left alone, `ResetRule`), which the workers
    /// then sync.
    public static func forReset(_ selector: JobSelector, _ connection: Connection) throws -> SyncEstimate {
        let condition = try selector.resolvedCondition(connection)
        let rows = try connection.query("""
            SELECT coalesce(array_agg(wtr.id) FILTER (WHERE NOT \(ResetRule.alreadyReset)), '{}') AS ids,
                   count(*) FILTER (WHERE \(ResetRule.alreadyReset))::int AS already
            FROM workspace_tracked_repositories wtr WHERE \(condition)
            """)[0]
        return try fetch(connection, ids: try rows.decode("ids", as: [UUID].self), alreadyReset: try rows.decode("already", as: Int.self))
    }

    /// Before a retry: every row it matches, reset and synced.
    public static func forRetry(_ selector: JobSelector, _ connection: Connection) throws -> SyncEstimate {
        let condition = try selector.resolvedCondition(connection)
        let ids = try connection.query("SELECT wtr.id FROM workspace_tracked_repositories wtr WHERE \(condition)")
            .map { try $0.decode("id", as: UUID.self) }
        return try fetch(connection, ids: ids, alreadyReset: 0)
    }

    /// How many names an estimate carries, for a dialog's list of targets.
    public static let namesListed = 8

    static func fetch(_ connection: Connection, ids: [UUID], alreadyReset: Int) throws -> SyncEstimate {
        try ReadModelQuery.fetch(connection, """
            WITH ids AS (SELECT DISTINCT unnest(\(ids)::uuid[]) AS id),
            cost AS (
                SELECT i.id, last.api_calls FROM ids i
                LEFT JOIN LATERAL (
                    SELECT r.api_calls FROM wsync.sync_runs r
                    WHERE r.job_id = i.id AND r.status <> 'running'
                    ORDER BY r.started_at DESC, r.id DESC LIMIT 1
                ) last ON true
            ),
            gauge AS (SELECT (\(RateLimitGauge.query))::jsonb AS g)
            SELECT json_build_object(
                'rows', (SELECT count(*) FROM ids),
                'names', \(ResetRule.names("SELECT id FROM ids", limit: namesListed)),
                'already_reset', \(alreadyReset)::int,
                'api_calls', (SELECT coalesce(sum(greatest(coalesce(api_calls, \(CostModel.callsPerSync)), 1)), 0) FROM cost),
                'rows_with_history', (SELECT count(api_calls) FROM cost),
                'remaining', (SELECT (g->>'remaining')::int FROM gauge),
                'reset_at', (SELECT g->'reset_at' FROM gauge),
                'reserve', (SELECT min(rate_limit_reserve) FROM (\(WorkerState.classified(LivenessThresholds()))) w
                            WHERE w.state = 'alive'))
            """)
    }
}
