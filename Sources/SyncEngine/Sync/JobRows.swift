import Postgres

/// What a NULL in a nullable job column means to wsync. Production leaves these columns nullable (other writers
/// may store NULL); wsync reads each NULL as the column's production default, except two that have no default to
/// borrow: `is_active` NULL is not active (as the guide's `is_active = TRUE` reads it) and `next_sync_at` NULL is
/// due now (never scheduled).
public enum JobDefaults {
    public static let frequencyHours = 24
    public static let retentionDays = 30
    public static let priority = 50
    public static let fetchIssues = true
}

enum JobRows {
    /// `workspace_tracked_repositories` with every nullable column read as `JobDefaults` says: read models select
    /// from this (as `wtr`) so a NULL is never an error and never a NULL count.
    static let nullSafe: SQL = """
        (SELECT id, workspace_id, tracked_repository_id, added_at, added_by, last_sync_at, next_sync_at,
                last_sync_status, last_sync_error, lease_owner, lease_expires_at, issues_since, issues_etag,
                last_attempt_at,
                coalesce(sync_frequency_hours, \(JobDefaults.frequencyHours)) AS sync_frequency_hours,
                coalesce(data_retention_days, \(JobDefaults.retentionDays)) AS data_retention_days,
                coalesce(priority_score, \(JobDefaults.priority)) AS priority_score,
                coalesce(fetch_issues, \(JobDefaults.fetchIssues)) AS fetch_issues,
                coalesce(sync_attempts, 0) AS sync_attempts,
                coalesce(total_issues_fetched, 0) AS total_issues_fetched,
                is_active IS TRUE AS is_active
         FROM workspace_tracked_repositories)
        """
}
