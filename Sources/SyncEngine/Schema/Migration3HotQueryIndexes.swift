import Postgres

extension Migration {
    /// Indexes for the queries that run on every dashboard refresh and every worker claim.
    static let hotQueryIndexes = Migration(version: 3, name: "indexes for due, failed and stuck rows and run history", script: """
        -- Claiming due rows by priority, and stuck rows (overdue next_sync_at).
        CREATE INDEX IF NOT EXISTS wsync_wtr_due_idx
            ON workspace_tracked_repositories (next_sync_at) WHERE is_active;
        -- The failed-syncs pane and `wsync check`: most attempts first.
        CREATE INDEX IF NOT EXISTS wsync_wtr_failed_idx
            ON workspace_tracked_repositories (sync_attempts DESC) WHERE last_sync_status = 'failed';
        -- Leases past expiry.
        CREATE INDEX IF NOT EXISTS wsync_wtr_lease_idx
            ON workspace_tracked_repositories (lease_expires_at) WHERE lease_owner IS NOT NULL;
        CREATE INDEX IF NOT EXISTS wsync_wtr_tracked_repository_idx
            ON workspace_tracked_repositories (tracked_repository_id);
        CREATE INDEX IF NOT EXISTS wsync_sync_runs_started_idx ON wsync.sync_runs (started_at DESC);
        CREATE INDEX IF NOT EXISTS wsync_sync_runs_job_idx ON wsync.sync_runs (job_id, started_at DESC);
        CREATE INDEX IF NOT EXISTS wsync_rate_limit_observed_idx
            ON wsync.rate_limit_observations (resource, observed_at DESC);
        CREATE INDEX IF NOT EXISTS wsync_audit_log_at_idx ON wsync.audit_log (at DESC);
        CREATE INDEX IF NOT EXISTS wsync_issues_repository_created_idx ON issues (repository_id, created_at);
        CREATE INDEX IF NOT EXISTS wsync_issues_repository_updated_idx ON issues (repository_id, updated_at);
        CREATE INDEX IF NOT EXISTS wsync_issues_cache_expires_idx ON workspace_issues_cache (expires_at);
        CREATE INDEX IF NOT EXISTS wsync_daily_metrics_date_idx ON daily_activity_metrics (date);
        """)
}
