import Foundation
import Postgres

/// Everything `/metrics` exposes, read in one statement (one round trip per scrape): the Sync status read model the
/// dashboard shows and its Tier usage pane, plus the breakdowns Prometheus wants — jobs by state and tier, failures by
/// error, the latest rate limit of each resource, and totals over the sync-run history.
public struct MetricsSnapshot: Decodable, Sendable {
    public struct JobCount: Decodable, Sendable {
        /// success, failed, partial, never_synced (active jobs), inactive.
        public var state: String
        public var tier: String
        public var jobs: Int
    }

    public struct ErrorCount: Decodable, Sendable {
        public var error: String?
        public var jobs: Int
    }

    public struct RateLimit: Decodable, Sendable {
        /// The token's label, else its fingerprint (never the token); `anonymous` for unauthenticated requests.
        public var token: String
        public var resource: String
        public var limit: Int
        public var remaining: Int
        public var resetAt: Date
        public var observedAt: Date
    }

    public struct RunTotals: Decodable, Sendable {
        public var status: String
        public var runs: Int
        public var apiCalls: Int
        public var notModified: Int
        public var issuesFetched: Int
        public var issuesStored: Int
    }

    public struct DurationCount: Decodable, Sendable {
        /// Index into `durationBounds` of the smallest bound at or above the duration; `durationBounds.count` above all.
        public var bucket: Int
        public var runs: Int
        public var seconds: Double
    }

    /// Upper bounds (seconds) of the sync-run duration histogram.
    public static let durationBounds: [Double] = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

    public var status: SyncStatus
    public var jobs: [JobCount]
    /// Active jobs overdue by more than 2 hours (the guide's stuck query, `wsync stuck`'s default).
    public var stuck: Int
    /// Jobs `wsync check` counts with its defaults: failed with more than 3 attempts.
    public var failingRepeatedly: Int
    public var failedErrors: [ErrorCount]
    /// Seconds since the least recently synced active job synced; null when none has.
    public var oldestSyncAgeSeconds: Double?
    public var rateLimits: [RateLimit]
    /// The dashboard's Tier usage pane.
    public var tiers: [TierUsage]
    public var runs: [RunTotals]
    public var durations: [DurationCount]

    public static func fetch(_ connection: Connection) throws -> MetricsSnapshot {
        try ReadModelQuery.fetch(connection, query)
    }

    static let query: SQL = """
        SELECT json_build_object(
            'status', (\(SyncStatus.query)),
            'jobs', (
                SELECT coalesce(json_agg(json_build_object('state', state, 'tier', tier, 'jobs', jobs) ORDER BY tier, state), '[]')
                FROM (
                    SELECT CASE WHEN NOT wtr.is_active THEN 'inactive'
                                WHEN wtr.last_sync_status IN ('success', 'failed', 'partial') THEN wtr.last_sync_status
                                ELSE 'never_synced' END AS state,
                           coalesce(w.tier::text, 'none') AS tier, count(*) AS jobs
                    FROM \(JobRows.nullSafe) wtr JOIN workspaces w ON w.id = wtr.workspace_id
                    GROUP BY 1, 2
                ) j),
            'stuck', (SELECT count(*) FROM \(JobRows.nullSafe) wtr
                      WHERE is_active AND next_sync_at < now() - interval '2 hours'),
            'failing_repeatedly', (\(SyncAlert.failingQuery(minAttempts: 3))),
            'failed_errors', (
                SELECT coalesce(json_agg(json_build_object('error', last_sync_error, 'jobs', jobs)), '[]')
                FROM (SELECT last_sync_error, count(*) AS jobs FROM \(JobRows.nullSafe) wtr
                      WHERE is_active AND last_sync_status = 'failed' GROUP BY 1) e),
            'oldest_sync_age_seconds', (
                SELECT EXTRACT(EPOCH FROM now() - min(last_sync_at))::float8 FROM \(JobRows.nullSafe) wtr WHERE is_active),
            'rate_limits', (
                SELECT coalesce(json_agg(json_build_object('token', token, 'resource', resource, 'limit', limit_total,
                                                           'remaining', remaining, 'reset_at', reset_at, 'observed_at', observed_at)
                                         ORDER BY token, resource), '[]')
                FROM (SELECT DISTINCT ON (o.token_fingerprint, o.resource)
                             CASE WHEN o.token_fingerprint = \(GitHubToken.anonymousFingerprint) THEN 'anonymous'
                                  ELSE coalesce(t.label, o.token_fingerprint) END AS token,
                             o.resource, o.limit_total, o.remaining, o.reset_at, o.observed_at
                      FROM wsync.rate_limit_observations o LEFT JOIN wsync.github_tokens t ON t.fingerprint = o.token_fingerprint
                      ORDER BY o.token_fingerprint, o.resource, o.observed_at DESC, o.id DESC) latest),
            'tiers', coalesce((\(TierUsage.query)), '[]'::json),
            'runs', (
                SELECT coalesce(json_agg(json_build_object('status', status, 'runs', runs, 'api_calls', api_calls,
                                                           'not_modified', not_modified, 'issues_fetched', fetched,
                                                           'issues_stored', stored) ORDER BY status), '[]')
                FROM (SELECT status, count(*) AS runs, coalesce(sum(api_calls), 0) AS api_calls,
                             coalesce(sum(not_modified), 0) AS not_modified, coalesce(sum(issues_fetched), 0) AS fetched,
                             coalesce(sum(issues_stored), 0) AS stored
                      FROM wsync.sync_runs WHERE status <> 'running' GROUP BY status) r),
            'durations', (
                SELECT coalesce(json_agg(json_build_object('bucket', bucket, 'runs', runs, 'seconds', seconds) ORDER BY bucket), '[]')
                FROM (SELECT (SELECT count(*) FROM unnest(\(durationBounds)::float8[]) AS bound
                              WHERE bound < run.duration_ms / 1000.0) AS bucket,
                             count(*) AS runs, sum(run.duration_ms) / 1000.0 AS seconds
                      FROM wsync.sync_runs run WHERE run.status <> 'running' AND run.duration_ms IS NOT NULL
                      GROUP BY 1) d))
        """
}
