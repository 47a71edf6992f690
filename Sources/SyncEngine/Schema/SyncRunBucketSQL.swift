import Postgres

/// The SQL of `wsync.sync_run_buckets`: runs, failed runs and stored issues per 5-minute bucket of the runs' start,
/// sharded by backend like the job rollup. Only runs that started in the last 25 hours are counted (the dashboard
/// reads the last hour and, per half hour, the last day); `cleanup` prunes older buckets.
enum SyncRunBucketSQL {
    static let kept: SQL = "interval '25 hours'"
    /// What migration 7 kept (it read the last hour only); its script stays as it was applied.
    static let keptByMigration7: SQL = "interval '2 hours'"

    /// The bucket a start time falls in.
    static func bucket(_ time: SQL) -> SQL { "date_bin('5 minutes', \(time), 'epoch')" }

    /// Adds the sums over `signed` runs (columns sign, started_at, status, issues_stored) to this backend's shard.
    static func add(_ signed: SQL, kept: SQL = kept) -> SQL {
        """
        INSERT INTO wsync.sync_run_buckets AS b (bucket_start, shard, runs, failed_runs, issues)
        SELECT d.* FROM (
            SELECT \(bucket("c.started_at")) AS bucket_start, \(JobRollupSQL.shard),
                   coalesce(sum(c.sign), 0) AS runs, coalesce(sum(c.sign) FILTER (WHERE c.status = 'failed'), 0) AS failed_runs,
                   coalesce(sum(c.sign * coalesce(c.issues_stored, 0)), 0) AS issues
            FROM (\(signed)) c
            WHERE c.started_at > now() - \(kept)
            GROUP BY 1 ORDER BY 1
        ) d
        WHERE (d.runs, d.failed_runs, d.issues) IS DISTINCT FROM (0, 0, 0)
        ON CONFLICT (bucket_start, shard) DO UPDATE
        SET runs = b.runs + EXCLUDED.runs, failed_runs = b.failed_runs + EXCLUDED.failed_runs, issues = b.issues + EXCLUDED.issues
        """
    }

    static func rebuild(kept: SQL = kept) -> SQL {
        """
        LOCK TABLE wsync.sync_runs IN SHARE MODE;
        DELETE FROM wsync.sync_run_buckets;
        \(add("SELECT 1 AS sign, started_at, status, issues_stored FROM wsync.sync_runs", kept: kept));
        """
    }

    /// The trigger function over the run history's transition tables.
    static func changedFunction(kept: SQL = kept) -> SQL {
        Migration.changedFunction("wsync.sync_run_buckets_changed",
            inserted: add("SELECT 1 AS sign, started_at, status, issues_stored FROM new_runs", kept: kept),
            deleted: add("SELECT -1 AS sign, started_at, status, issues_stored FROM old_runs", kept: kept),
            updated: add("""
                SELECT 1 AS sign, started_at, status, issues_stored FROM new_runs
                UNION ALL SELECT -1, started_at, status, issues_stored FROM old_runs
                """, kept: kept))
    }
}
