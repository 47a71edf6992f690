import Postgres

extension Migration {
    /// The leases of active jobs with their due time and id beside them, so the dashboard's counts of due rows being
    /// synced and the stuck pane's expired leases are read from the index alone (through the lease index they
    /// fetched every leased row from the heap: about 4 ms of a refresh at 100,000 jobs, where dead workers had left
    /// some 2,000 expired leases).
    static let activeLeases = Migration(version: 13, name: "active leases covered for the dashboard", script: """
        CREATE INDEX IF NOT EXISTS wsync_wtr_active_lease_idx
            ON workspace_tracked_repositories (lease_expires_at) INCLUDE (next_sync_at, id)
            WHERE lease_owner IS NOT NULL AND is_active;
        """)
}
