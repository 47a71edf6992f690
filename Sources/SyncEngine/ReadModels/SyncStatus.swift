import Foundation
import Postgres

/// The morning health check (`wsync status`, the dashboard's Sync status pane).
public struct SyncStatus: Codable, Sendable, Equatable {
    /// Exactly the guide's four columns with the guide's semantics: counts over active rows, and the average age of
    /// the last sync in hours over rows that have synced, rounded to an integer (null when none has).
    public struct Health: Codable, Sendable, Equatable {
        public var totalWorkspaces: Int
        public var successful: Int
        public var failed: Int
        public var avgHoursSinceSync: Int?
    }

    /// Sync runs started in one 5-minute bucket of the last hour (oldest first), for a sparkline.
    public struct ThroughputBucket: Codable, Sendable, Equatable {
        public var bucketStart: Date
        public var runs: Int
        public var failedRuns: Int
        public var issues: Int
    }

    public var health: Health
    /// Active rows whose last sync was cut short and resumes next time.
    public var partial: Int
    /// Active rows that have never synced.
    public var neverSynced: Int
    /// Active rows whose next sync is due and that no worker holds.
    public var dueNow: Int
    /// Rows a worker holds under an unexpired lease.
    public var syncingNow: Int
    public var inactive: Int
    /// Share (0…1) of active rows whose last run succeeded within their own frequency; null without active rows.
    public var freshness: Double?
    public var runsLastHour: Int
    public var failedRunsLastHour: Int
    public var issuesLastHour: Int
    public var throughput: [ThroughputBucket]
    public var pause: PauseState
    /// Worker processes and their liveness (`LivenessThresholds` defaults).
    public var workers: [WorkerState]
    /// Why due jobs are not being claimed; empty when workers are free to claim.
    public var claimBlockers: [ClaimBlocker]

    public static func fetch(_ connection: Connection) throws -> SyncStatus {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        -- The last hour of runs, read once for both the counts and the sparkline's twelve 5-minute buckets (which
        -- start at most 55 minutes ago, so they all lie inside the hour).
        WITH recent_runs AS MATERIALIZED (
            SELECT started_at, status, issues_stored FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour'
        )
        SELECT json_build_object(
            'health', json_build_object(
                'total_workspaces', j.total, 'successful', j.successful, 'failed', j.failed,
                'avg_hours_since_sync', j.avg_hours_since_sync),
            'partial', j.partial, 'never_synced', j.never_synced, 'due_now', j.due_now,
            'syncing_now', j.syncing_now, 'inactive', j.inactive, 'freshness', j.freshness,
            'runs_last_hour', r.runs, 'failed_runs_last_hour', r.failed_runs, 'issues_last_hour', r.issues,
            'throughput', t.buckets,
            'pause', (\(PauseState.query)),
            'workers', (\(WorkerState.listQuery(LivenessThresholds()))),
            'claim_blockers', (\(ClaimBlocker.query(LivenessThresholds()))))
        FROM (
            SELECT
                count(*) FILTER (WHERE is_active) AS total,
                count(*) FILTER (WHERE is_active AND last_sync_status = 'success') AS successful,
                count(*) FILTER (WHERE is_active AND last_sync_status = 'failed') AS failed,
                (avg(EXTRACT(EPOCH FROM (now() - last_sync_at)) / 3600) FILTER (WHERE is_active))::int AS avg_hours_since_sync,
                count(*) FILTER (WHERE is_active AND last_sync_status = 'partial') AS partial,
                count(*) FILTER (WHERE is_active AND last_sync_at IS NULL) AS never_synced,
                count(*) FILTER (WHERE is_active AND next_sync_at <= now()
                                 AND (lease_owner IS NULL OR lease_expires_at <= now())) AS due_now,
                count(*) FILTER (WHERE lease_owner IS NOT NULL AND lease_expires_at > now()) AS syncing_now,
                count(*) FILTER (WHERE NOT is_active) AS inactive,
                -- Fresh: the last run succeeded within the row's own frequency (a failed run also sets last_sync_at).
                (count(*) FILTER (WHERE is_active AND last_sync_status = 'success'
                                  AND last_sync_at >= now() - sync_frequency_hours * interval '1 hour'))::float8
                    / nullif(count(*) FILTER (WHERE is_active), 0) AS freshness
            FROM \(JobRows.nullSafe) wtr
        ) j, (
            SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'failed') AS failed_runs,
                   coalesce(sum(issues_stored), 0) AS issues
            FROM recent_runs
        ) r, (
            SELECT json_agg(json_build_object('bucket_start', s.bucket_start, 'runs', coalesce(b.runs, 0),
                                              'failed_runs', coalesce(b.failed_runs, 0), 'issues', coalesce(b.issues, 0))
                            ORDER BY s.bucket_start) AS buckets
            -- An integer series, whose row count the planner knows (a timestamp series is guessed at 1000 rows,
            -- which costs enough to switch on JIT compilation on every dashboard poll).
            FROM (SELECT date_bin('5 minutes', now(), 'epoch') - (11 - i) * interval '5 minutes' AS bucket_start
                  FROM generate_series(0, 11) AS i) s
            -- One pass over the hour's runs, grouped by bucket (rather than one index range scan per bucket).
            LEFT JOIN (
                SELECT date_bin('5 minutes', started_at, 'epoch') AS bucket_start, count(*) AS runs,
                       count(*) FILTER (WHERE status = 'failed') AS failed_runs, coalesce(sum(issues_stored), 0) AS issues
                FROM recent_runs GROUP BY 1
            ) b ON b.bucket_start = s.bucket_start
        ) t
        """
}

/// The global pause switch that workers obey (set by stop-all and rollback, cleared by resume/undo).
public struct PauseState: Codable, Sendable, Equatable {
    public var isPaused: Bool
    public var reason: String?
    public var pausedAt: Date?
    public var pausedBy: String?
    public var actionId: Int64?

    public static func fetch(_ connection: Connection) throws -> PauseState {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        SELECT coalesce(
            (SELECT json_build_object('is_paused', is_paused, 'reason', reason, 'paused_at', paused_at,
                                      'paused_by', paused_by, 'action_id', action_id)
             FROM wsync.pause WHERE singleton),
            json_build_object('is_paused', false))
        """
}
