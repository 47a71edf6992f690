import Postgres

extension Migration {
    /// The dashboard's due, stale and failed counts kept per hour (per quarter hour since migration 15) by the job
    /// table's rollup trigger (`JobClockCountsSQL`), so a refresh reads the buckets gone by and only the current one's rows.
    static let clockCounts = Migration(version: 14, name: "due, stale and failed counts kept per hour for the dashboard", script: """
        CREATE TABLE IF NOT EXISTS wsync.job_clock_counts (
            kind text NOT NULL,
            bucket_start timestamptz NOT NULL,
            shard smallint NOT NULL,
            jobs bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (kind, bucket_start, shard)
        );

        \(JobRollupSQL.jobsChangedFunction(alsoClockCounts: true))
        \(JobRollupSQL.truncatedFunction(alsoClockCounts: true))

        REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM PUBLIC;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM PUBLIC;
        \(Migration.forAPIRoles("ARRAY['REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM %I', 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM %I']"))

        \(JobClockCountsSQL.rebuild)
        """)
}
