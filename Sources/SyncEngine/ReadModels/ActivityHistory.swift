import Foundation
import Postgres

/// The last 24 hours per half hour: runs and failed runs (from `wsync.sync_run_buckets`) and the lowest share of the
/// core rate limit left (from `wsync.rate_limit_buckets`), for the dashboard's sparklines. Read from buckets only: at
/// most 48 half hours of each, whatever the traffic.
public struct ActivityHistory: Codable, Sendable, Equatable {
    public struct Bucket: Codable, Sendable, Equatable {
        public var bucketStart: Date
        public var runs: Int
        public var failedRuns: Int
        /// The lowest `remaining` of the pool in the half hour: per token its lowest reading, summed over the tokens
        /// read in it. Nil when no reading was made.
        public var rateLimitRemaining: Int?
        /// The limits of the same tokens, summed.
        public var rateLimitLimit: Int?

        /// The lowest share of the limit left, 0…1; nil without a reading.
        public var rateLimitFraction: Double? {
            guard let remaining = rateLimitRemaining, let limit = rateLimitLimit, limit > 0 else { return nil }
            return max(0, min(1, Double(remaining) / Double(limit)))
        }
    }

    public var bucketMinutes: Int
    /// Oldest first; the last is the current half hour.
    public var buckets: [Bucket]

    public var failedRuns: Int { buckets.reduce(0) { $0 + $1.failedRuns } }
    public var runs: Int { buckets.reduce(0) { $0 + $1.runs } }

    public static func fetch(_ connection: Connection) throws -> ActivityHistory {
        try ReadModelQuery.fetch(connection, query)
    }

    /// The first of 48 half hours that end with the current one.
    static let firstBucket: SQL = "(date_bin('30 minutes', now(), 'epoch') - interval '23 hours 30 minutes')"

    public static let query: SQL = """
        SELECT json_build_object('bucket_minutes', 30, 'buckets', json_agg(json_build_object(
                   'bucket_start', s.bucket_start, 'runs', coalesce(r.runs, 0), 'failed_runs', coalesce(r.failed_runs, 0),
                   'rate_limit_remaining', l.remaining, 'rate_limit_limit', l.limit_total) ORDER BY s.bucket_start))
        -- An integer series, whose row count the planner knows (see SyncStatus's sparkline).
        FROM (SELECT \(firstBucket) + i * interval '30 minutes' AS bucket_start FROM generate_series(0, 47) AS i) s
        LEFT JOIN (
            SELECT date_bin('30 minutes', bucket_start, 'epoch') AS bucket_start, sum(runs) AS runs, sum(failed_runs) AS failed_runs
            FROM wsync.sync_run_buckets WHERE bucket_start >= \(firstBucket) GROUP BY 1
        ) r ON r.bucket_start = s.bucket_start
        LEFT JOIN (
            SELECT t.bucket_start, sum(t.remaining)::int AS remaining, sum(t.limit_total)::int AS limit_total
            FROM (SELECT bucket_start, token_fingerprint, min(min_remaining) AS remaining, max(limit_total) AS limit_total
                  FROM wsync.rate_limit_buckets WHERE bucket_start >= \(firstBucket) GROUP BY 1, 2) t
            GROUP BY 1
        ) l ON l.bucket_start = s.bucket_start
        """
}
