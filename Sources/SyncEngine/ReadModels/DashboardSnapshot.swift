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
        public var eventLimit: Int

        public init(failedLimit: Int = 200, stuckOlderThan: TimeSpan = .hours(2), stuckLimit: Int = 50, eventLimit: Int = 20) {
            self.failedLimit = failedLimit
            self.stuckOlderThan = stuckOlderThan
            self.stuckLimit = stuckLimit
            self.eventLimit = eventLimit
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
    /// The last 24 hours per half hour (runs, failures, the rate limit's low points); nil from a snapshot made
    /// before it existed.
    public var history: ActivityHistory?
    /// The newest sync runs and operator actions, newest first.
    public var events: [RecentEvent]?

    /// Failed rows that are not active (stopped, paused by tier, or switched off): the Failed pane lists them, the
    /// health counts (active rows only) do not.
    public var failedInactive: Int { max(0, failedTotal - status.health.failed) }

    /// Failed rows a reset of every failed sync would change: those not already queued for retry.
    public var failedToReset: Int { max(0, failedTotal - failedQueued) }

    /// Prepared once per connection: a refresh then costs no parsing or planning. The session also plans without
    /// parallel workers and JIT compilation, whose start-up costs more than this statement's whole answer (at 100,000
    /// jobs a worker's launch alone took longer than the failed pane it was for).
    ///
    /// The panes' json is decoded only when its text differs from the last refresh on this connection: on a quiet
    /// system it is the same text every time, and decoding it was most of an idle dashboard's CPU.
    public static func fetch(_ connection: Connection, options: Options = Options()) throws -> DashboardSnapshot {
        try connection.memoized("dashboard session settings") {
            try $0.executeScript("SET max_parallel_workers_per_gather = 0; SET jit = off")
        }
        let row = try connection.queryPrepared("SELECT now() AS taken_at, (\(query(options: options))) AS panes")[0]
        let panes: JSONText = try row.decode("panes")
        let last = try connection.memoized("last dashboard snapshot") { _ in LastDecoded() }
        var snapshot: DashboardSnapshot
        if let known = last.snapshot, last.panes == panes.text {
            snapshot = known
        } else {
            snapshot = try decode(panes: panes)
            (last.panes, last.snapshot) = (panes.text, snapshot)
        }
        snapshot.takenAt = try row.decode("taken_at")
        return snapshot
    }

    /// The panes' json read as a whole snapshot: its `taken_at` comes from the statement's own column.
    public static func decode(panes: JSONText) throws -> DashboardSnapshot {
        try JSONText(#"{"taken_at":"1970-01-01T00:00:00Z","# + panes.text.dropFirst()).decode(DashboardSnapshot.self)
    }

    private final class LastDecoded {
        var panes = ""
        var snapshot: DashboardSnapshot?
    }

    public static func query(options: Options) -> SQL {
        """
        SELECT json_build_object(
            'status', (\(SyncStatus.query)),
            'failed', (\(FailedSync.query(limit: options.failedLimit))),
            'failed_total', (\(FailedSync.countQuery)),
            'failed_queued', (\(FailedSync.queuedCountQuery)),
            'stuck', (\(StuckSync.query(olderThan: options.stuckOlderThan, limit: options.stuckLimit, includeExpiredLeases: true))),
            'rate_limit', (\(RateLimitGauge.query)),
            'tiers', (\(TierUsage.query)),
            'history', (\(ActivityHistory.query)),
            'events', (\(RecentEvent.query(limit: options.eventLimit))))
        """
    }
}
