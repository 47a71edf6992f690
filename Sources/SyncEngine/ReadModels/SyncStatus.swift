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

    /// Counts that do not depend on the clock come from the rollup its triggers keep (`JobRollupSQL`); due and stale
    /// from the counts the same trigger keeps per quarter hour plus the current one's index entries (`JobClockCountsSQL`),
    /// leases from their index alone; the hour of runs comes from 5-minute buckets, plus the few runs
    /// between an hour ago and the first bucket, counted from the history itself.
    public static let query: SQL = """
        SELECT json_build_object(
            'health', json_build_object(
                'total_workspaces', j.total, 'successful', j.successful, 'failed', j.failed,
                'avg_hours_since_sync', j.avg_hours_since_sync),
            'partial', j.partial, 'never_synced', j.never_synced, 'due_now', d.due - d.due_leased,
            'syncing_now', d.leased, 'inactive', j.inactive,
            'freshness', (j.successful - d.stale)::float8 / nullif(j.total, 0),
            'runs_last_hour', r.runs, 'failed_runs_last_hour', r.failed_runs, 'issues_last_hour', r.issues,
            'throughput', t.buckets,
            'pause', (\(PauseState.query)),
            'workers', (\(WorkerState.listQuery(LivenessThresholds()))),
            'claim_blockers', (\(ClaimBlocker.query(LivenessThresholds()))))
        FROM (
            SELECT coalesce(sum(active), 0) AS total, coalesce(sum(active_success), 0) AS successful,
                   coalesce(sum(active_failed), 0) AS failed, coalesce(sum(active_partial), 0) AS partial,
                   coalesce(sum(active_never_synced), 0) AS never_synced, coalesce(sum(jobs - active), 0) AS inactive,
                   -- The average of (now - last_sync_at) is now minus the average of last_sync_at.
                   ((EXTRACT(EPOCH FROM now()) * sum(active_synced) - sum(active_last_sync_epoch))
                     / nullif(sum(active_synced), 0) / 3600)::int AS avg_hours_since_sync
            FROM wsync.job_rollup
        ) j, (
            -- Due and stale: the quarter hours gone by from the counts kept per quarter hour (`JobClockCountsSQL`),
            -- the current one's rows from the indexes.
            SELECT past.due
                   + (SELECT count(*) FROM workspace_tracked_repositories
                      WHERE is_active AND next_sync_at >= \(JobClockCountsSQL.currentBucket) AND next_sync_at <= now()) AS due,
                   (SELECT count(*) FROM workspace_tracked_repositories
                    WHERE lease_owner IS NOT NULL AND lease_expires_at > now() AND is_active AND next_sync_at <= now()) AS due_leased,
                   (SELECT count(*) FROM workspace_tracked_repositories
                    WHERE lease_owner IS NOT NULL AND lease_expires_at > now()) AS leased,
                   -- Fresh: the last run succeeded within the row's own frequency (a failed run also sets last_sync_at),
                   -- counted as the successful rows less the stale ones, which are fewer. (A NULL last_sync_at on a
                   -- successful row is neither.)
                   past.stale
                   + (SELECT count(*) FROM workspace_tracked_repositories
                      WHERE is_active AND last_sync_status = 'success'
                        AND \(JobFreshness.freshUntil) >= (\(JobClockCountsSQL.currentBucket) AT TIME ZONE 'UTC')
                        AND \(JobFreshness.freshUntil) < \(JobFreshness.now))
                   + (SELECT count(*) FROM workspace_tracked_repositories
                      WHERE is_active AND last_sync_status = 'success' AND \(JobFreshness.freshUntil) IS NULL) AS stale
            FROM \(JobClockCountsSQL.past) past
        ) d, (
            SELECT sum(b.runs) + e.runs AS runs, sum(b.failed_runs) + e.failed_runs AS failed_runs,
                   sum(b.issues) + e.issues AS issues
            FROM (SELECT coalesce(sum(runs), 0) AS runs, coalesce(sum(failed_runs), 0) AS failed_runs,
                         coalesce(sum(issues), 0) AS issues
                  FROM wsync.sync_run_buckets WHERE bucket_start >= \(firstBucket)) b,
                 (SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'failed') AS failed_runs,
                         coalesce(sum(issues_stored), 0) AS issues
                  FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour' AND started_at < \(firstBucket)) e
            GROUP BY e.runs, e.failed_runs, e.issues
        ) r, (
            SELECT json_agg(json_build_object('bucket_start', s.bucket_start, 'runs', coalesce(b.runs, 0),
                                              'failed_runs', coalesce(b.failed_runs, 0), 'issues', coalesce(b.issues, 0))
                            ORDER BY s.bucket_start) AS buckets
            -- An integer series, whose row count the planner knows (a timestamp series is guessed at 1000 rows,
            -- which costs enough to switch on JIT compilation on every dashboard poll).
            FROM (SELECT \(firstBucket) + i * interval '5 minutes' AS bucket_start FROM generate_series(0, 11) AS i) s
            LEFT JOIN (
                SELECT bucket_start, sum(runs) AS runs, sum(failed_runs) AS failed_runs, sum(issues) AS issues
                FROM wsync.sync_run_buckets WHERE bucket_start >= \(firstBucket) GROUP BY bucket_start
            ) b ON b.bucket_start = s.bucket_start
        ) t
        """

    /// The sparkline's first bucket: twelve 5-minute buckets end with the current one, so they all lie in the hour.
    static let firstBucket: SQL = "(date_bin('5 minutes', now(), 'epoch') - interval '55 minutes')"
}

/// Until when a job's last successful sync stays fresh, as an immutable expression (UTC timestamps) that
/// `wsync_wtr_fresh_until_idx` indexes, so that freshness is an index-only count. Literal text, not bound values
/// (24 is `JobDefaults.frequencyHours`): the planner matches the query's expression to the index's by its text.
enum JobFreshness {
    static let freshUntil: SQL = """
        ((last_sync_at AT TIME ZONE 'UTC') + make_interval(hours => coalesce(sync_frequency_hours, 24)))
        """
    static let now: SQL = "(now() AT TIME ZONE 'UTC')"
}

/// The global pause switch that workers obey (set by stop-all and rollback, cleared by resume/undo).
public struct PauseState: Codable, Sendable, Equatable {
    public var isPaused: Bool
    public var reason: String?
    public var pausedAt: Date?
    public var pausedBy: String?
    public var actionId: Int64?
    /// The rows the action that set the pause (a stop-all or rollback) deactivated, as its audit entry counts them;
    /// nil when the pause was set without one. These rows are what a stop stopped: inactive, so the health counts
    /// (over active rows) no longer include them.
    public var stoppedRows: Int?

    public static func fetch(_ connection: Connection) throws -> PauseState {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        SELECT coalesce(
            (SELECT json_build_object('is_paused', p.is_paused, 'reason', p.reason, 'paused_at', p.paused_at,
                                      'paused_by', p.paused_by, 'action_id', p.action_id,
                                      'stopped_rows', (SELECT a.affected_rows FROM wsync.audit_log a
                                                       WHERE a.id = p.action_id AND p.is_paused))
             FROM wsync.pause p WHERE p.singleton),
            json_build_object('is_paused', false))
        """
}
