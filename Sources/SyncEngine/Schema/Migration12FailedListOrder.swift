import Postgres

extension Migration {
    /// The failed list's order as an index of its own (most attempts, latest failure, job id), so listing the first
    /// rows reads only those rows; it also answers the failed count by itself, which the index it replaces did.
    static let failedListOrder = Migration(version: 12, name: "failed syncs listed in index order", script: """
        CREATE INDEX IF NOT EXISTS wsync_wtr_failed_order_idx
            ON workspace_tracked_repositories (coalesce(sync_attempts, 0) DESC, last_attempt_at DESC NULLS LAST, id)
            WHERE last_sync_status = 'failed';
        DROP INDEX IF EXISTS wsync_wtr_failed_idx;
        """)
}
