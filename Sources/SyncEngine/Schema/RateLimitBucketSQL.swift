import Postgres

/// The SQL of `wsync.rate_limit_buckets`: per half hour and token, the lowest `remaining` GitHub reported for the core
/// limit and the limit itself, sharded by backend like the run buckets so that concurrent workers never wait on one
/// row. Only readings of the last 25 hours are counted (the dashboard reads the last day); `cleanup` prunes the rest.
enum RateLimitBucketSQL {
    static let kept: SQL = "interval '25 hours'"
    static let width: SQL = "interval '30 minutes'"

    /// The bucket a reading falls in.
    static func bucket(_ time: SQL) -> SQL { "date_bin('30 minutes', \(time), 'epoch')" }

    /// Folds the readings of `observations` (a table or transition table of `wsync.rate_limit_observations`) into
    /// this backend's shard.
    static func add(_ observations: SQL) -> SQL {
        """
        INSERT INTO wsync.rate_limit_buckets AS b (bucket_start, token_fingerprint, shard, limit_total, min_remaining, observations)
        SELECT \(bucket("o.observed_at")), o.token_fingerprint, \(JobRollupSQL.shard), max(o.limit_total), min(o.remaining), count(*)
        FROM \(observations) o
        WHERE o.resource = 'core' AND o.observed_at > now() - \(kept)
        GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (bucket_start, token_fingerprint, shard) DO UPDATE
        SET limit_total = greatest(b.limit_total, EXCLUDED.limit_total),
            min_remaining = least(b.min_remaining, EXCLUDED.min_remaining),
            observations = b.observations + EXCLUDED.observations
        """
    }

    static let rebuild: SQL = """
        LOCK TABLE wsync.rate_limit_observations IN SHARE MODE;
        DELETE FROM wsync.rate_limit_buckets;
        \(add("wsync.rate_limit_observations"));
        """
}
