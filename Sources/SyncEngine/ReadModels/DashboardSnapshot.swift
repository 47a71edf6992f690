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
    public var stuck: [StuckSync]
    public var rateLimit: RateLimitGauge
    public var tiers: [TierUsage]

    public static func fetch(_ connection: Connection, options: Options = Options()) throws -> DashboardSnapshot {
        try ReadModelQuery.fetch(connection, query(options: options))
    }

    public static func query(options: Options) -> SQL {
        """
        SELECT json_build_object(
            'taken_at', now(),
            'status', (\(SyncStatus.query)),
            'failed', (\(FailedSync.query(limit: options.failedLimit))),
            'failed_total', (\(FailedSync.countQuery)),
            'stuck', (\(StuckSync.query(olderThan: options.stuckOlderThan, limit: options.stuckLimit, includeExpiredLeases: true))),
            'rate_limit', (\(RateLimitGauge.query)),
            'tiers', (\(TierUsage.query)))
        """
    }
}
