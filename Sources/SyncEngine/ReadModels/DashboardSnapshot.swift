import Foundation
import Postgres

/// Everything the dashboard shows, read in one statement (one round trip, one consistent MVCC snapshot): each pane's
/// read model is the same json expression the CLI uses, composed as a column of a single SELECT.
public struct DashboardSnapshot: Codable, Sendable, Equatable {
    /// What the dashboard asks for beyond the defaults of each read model.
    public struct Options: Sendable, Equatable {
        public var failedLimit: Int
        public var stuckOlderThan: TimeSpan
        public var stuckLimit: Int

        public init(failedLimit: Int = 200, stuckOlderThan: TimeSpan = .hours(2), stuckLimit: Int = 50) {
            self.failedLimit = failedLimit
            self.stuckOlderThan = stuckOlderThan
            self.stuckLimit = stuckLimit
        }
    }

    /// The database clock when the snapshot was taken.
    public var takenAt: Date
    public var status: SyncStatus
    public var failed: [FailedSync]
    /// All failed rows; `failed` holds at most `failedLimit` of them.
    public var failedTotal: Int
    /// Of `failedTotal`, the rows queued for retry (reset, not synced since).
    public var failedQueued: Int
    public var stuck: [StuckSync]
    public var rateLimit: RateLimitGauge
    public var tiers: [TierUsage]

    /// Failed rows that are not active (stopped, paused by tier, or switched off): the Failed pane lists them, the
    /// health counts (active rows only) do not.
    public var failedInactive: Int { max(0, failedTotal - status.health.failed) }

    /// Failed rows a reset of every failed sync would change: those not already queued for retry.
    public var failedToReset: Int { max(0, failedTotal - failedQueued) }

    /// Prepared once per connection: a refresh then costs no parsing or planning. The session also plans without
    /// parallel workers and JIT compilation, whose start-up costs more than this statement's whole answer (at 100,000
    /// jobs a worker's launch alone took longer than the failed pane it was for).
    public static func fetch(_ connection: Connection, options: Options = Options()) throws -> DashboardSnapshot {
        try connection.memoized("dashboard session settings") {
            try $0.executeScript("SET max_parallel_workers_per_gather = 0; SET jit = off")
        }
        return try ReadModelQuery.fetch(connection, query(options: options), prepared: true)
    }

    public static func query(options: Options) -> SQL {
        """
        SELECT json_build_object(
            'taken_at', now(),
            'status', (\(SyncStatus.query)),
            'failed', (\(FailedSync.query(limit: options.failedLimit))),
            'failed_total', (\(FailedSync.countQuery)),
            'failed_queued', (\(FailedSync.queuedCountQuery)),
            'stuck', (\(StuckSync.query(olderThan: options.stuckOlderThan, limit: options.stuckLimit, includeExpiredLeases: true))),
            'rate_limit', (\(RateLimitGauge.query)),
            'tiers', (\(TierUsage.query)))
        """
    }
}
