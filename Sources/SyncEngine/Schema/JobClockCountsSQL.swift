import Postgres

/// The SQL of `wsync.job_clock_counts`: the dashboard's counts that the clock changes, kept per quarter hour of the
/// time they turn on — active jobs by the quarter hour they fall due (`due`), active successful jobs by the quarter
/// hour they stop being fresh (`stale`) — and, in one sentinel bucket, every failed job (`failed`). A refresh adds up
/// the buckets before the current one and counts only the current bucket's rows from the indexes, so its cost no
/// longer grows with the jobs that are due or stale (at 1,000,000 jobs those two index-only counts took 56 ms; the
/// current hour's alone, 13 ms, hence quarter hours: a quarter of the rows, four times the buckets to add). Kept by
/// the job table's rollup trigger, sharded by backend like the rollup; migrate fills it, `wsync check` compares and
/// repairs it, `cleanup` folds its shards together.
enum JobClockCountsSQL {
    /// The quarter hour a time falls in; an infinite time is its own bucket (date_bin refuses it, and a trigger that
    /// raised would fail the app's own write).
    static func bucket(_ time: SQL) -> SQL {
        "CASE WHEN isfinite(\(time)) THEN date_bin('15 minutes', \(time), 'epoch') ELSE \(time) END"
    }

    /// The start of the quarter hour now is in: buckets before it are wholly past.
    static let currentBucket: SQL = "date_bin('15 minutes', now(), 'epoch')"

    /// The bucket of the clock-independent failed count.
    static let always: SQL = "'-infinity'::timestamptz"

    /// Until when a successful job stays fresh, as a timestamptz (`JobFreshness.freshUntil` is UTC without zone).
    static let freshUntil: SQL = "((\(JobFreshness.freshUntil)) AT TIME ZONE 'UTC')"

    /// What each job row `c` counts in: a kind and the time it counts at (none where NULL), then `WHERE` the rows
    /// that count.
    static let contributions: SQL = """
        CROSS JOIN LATERAL (VALUES
            ('due', CASE WHEN c.is_active IS TRUE THEN c.next_sync_at END),
            ('stale', CASE WHEN c.is_active IS TRUE AND c.last_sync_status = 'success' THEN \(freshUntil) END),
            ('failed', CASE WHEN c.last_sync_status = 'failed' THEN \(always) END)) AS t(kind, at)
        WHERE t.at IS NOT NULL
        """

    /// Adds the signed job rows of `signed` (columns `sign` and the job table's) to this backend's shard; a statement
    /// that moved no job between buckets (a lease, a heartbeat) writes nothing.
    static func add(_ signed: SQL) -> SQL {
        """
        INSERT INTO wsync.job_clock_counts AS k (kind, bucket_start, shard, jobs)
        SELECT d.* FROM (
            SELECT t.kind, \(bucket("t.at")), \(JobRollupSQL.shard), sum(c.sign)
            FROM (\(signed)) c \(contributions)
            GROUP BY 1, 2 ORDER BY 1, 2
        ) d (kind, bucket_start, shard, jobs)
        WHERE d.jobs <> 0
        ON CONFLICT (kind, bucket_start, shard) DO UPDATE SET jobs = k.jobs + EXCLUDED.jobs
        """
    }

    /// The counts built from scratch out of the job table (migrate; check's repair), writers locked out meanwhile.
    static let rebuild: SQL = """
        LOCK TABLE workspace_tracked_repositories IN SHARE MODE;
        DELETE FROM wsync.job_clock_counts;
        \(add("SELECT 1 AS sign, * FROM workspace_tracked_repositories"));
        """

    /// Shards folded into one row per bucket, and buckets that add up to nothing dropped (cleanup): a job's +1 and
    /// its later -1 often land in different shards, so past buckets would otherwise keep a row per shard for ever.
    static let fold: SQL = """
        LOCK TABLE wsync.job_clock_counts IN EXCLUSIVE MODE;
        WITH taken AS (DELETE FROM wsync.job_clock_counts RETURNING kind, bucket_start, jobs)
        INSERT INTO wsync.job_clock_counts (kind, bucket_start, shard, jobs)
        SELECT kind, bucket_start, 0, sum(jobs) FROM taken GROUP BY 1, 2 HAVING sum(jobs) <> 0;
        """

    /// Per kind and bucket: the kept count beside a full count, where they differ.
    static let drift: SQL = """
        WITH kept AS (
            SELECT kind, bucket_start, sum(jobs) AS jobs FROM wsync.job_clock_counts GROUP BY 1, 2
        ), counted AS (
            SELECT t.kind, \(bucket("t.at")) AS bucket_start, count(*) AS jobs
            FROM workspace_tracked_repositories c \(contributions)
            GROUP BY 1, 2
        )
        SELECT coalesce(k.kind, c.kind) AS kind, coalesce(k.bucket_start, c.bucket_start)::text AS bucket,
               coalesce(k.jobs, 0)::float8 AS kept, coalesce(c.jobs, 0)::float8 AS counted
        FROM kept k FULL JOIN counted c ON c.kind = k.kind AND c.bucket_start = k.bucket_start
        WHERE coalesce(k.jobs, 0) <> coalesce(c.jobs, 0)
        ORDER BY 1, 2
        """

    /// Due and stale jobs in the buckets before the current one, in one pass over the counts: columns `due`, `stale`.
    static let past: SQL = """
        (SELECT coalesce(sum(jobs) FILTER (WHERE kind = 'due'), 0) AS due,
                coalesce(sum(jobs) FILTER (WHERE kind = 'stale'), 0) AS stale
         FROM wsync.job_clock_counts WHERE kind IN ('due', 'stale') AND bucket_start < \(currentBucket))
        """
}
