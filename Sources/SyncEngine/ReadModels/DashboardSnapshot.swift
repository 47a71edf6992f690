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
    /// jobs a worker's launch alone took longer than the failed pane it was for), and without memoized lookups: the
    /// generic plan cannot see the panes' limits, sizes each memo for a tenth of its table, and every refresh then
    /// cleared that memory before it looked anything up (0.4 ms of each at 100,000 jobs, for lists of 20 to 200 rows
    /// whose lookups hardly repeat).
    ///
    /// Each pane's json is decoded only when its text differs from the last refresh on this connection: most
    /// refreshes change a count or two of the status pane, and decoding every pane each time (the failed list's 200
    /// rows most of all) was most of a dashboard's CPU.
    public static func fetch(_ connection: Connection, options: Options = Options()) throws -> DashboardSnapshot {
        // The statement binds its options, so PostgreSQL would plan it afresh on every refresh (a custom plan,
        // about 7 ms at 100,000 jobs) rather than keep its generic plan, which is as good; this connection runs
        // nothing else.
        try connection.memoized("dashboard session settings") {
            try $0.executeScript("""
                SET max_parallel_workers_per_gather = 0; SET jit = off; SET enable_memoize = off;
                SET plan_cache_mode = force_generic_plan
                """)
        }
        let row = try connection.queryPrepared(statement(options: options))[0]
        return try decode(row, reusing: connection.memoized("last dashboard panes") { _ in DecodedPanes() })
    }

    /// The statement's row as a snapshot, each pane decoded afresh or, when its text is what `last` decoded, taken
    /// from there.
    public static func decode(_ row: Row, reusing last: DecodedPanes = DecodedPanes()) throws -> DashboardSnapshot {
        DashboardSnapshot(
            takenAt: try row.decode("taken_at"), status: try last.pane("status", of: row),
            failed: try (last.pane("failed", of: row) as FailedSync.Columns).rows(),
            failedTotal: try row.decode("failed_total"), failedQueued: try row.decode("failed_queued"),
            stuck: try last.pane("stuck", of: row), rateLimit: try last.pane("rate_limit", of: row),
            tiers: try last.pane("tiers", of: row), history: try last.pane("history", of: row),
            events: try last.pane("events", of: row))
    }

    /// The panes a connection's last refresh decoded, with the text each was decoded from.
    public final class DecodedPanes {
        private var texts: [String: String] = [:]
        private var values: [String: Any] = [:]

        public init() {}

        func pane<T: Decodable>(_ column: String, of row: Row) throws -> T {
            let text: JSONText = try row.decode(column)
            if let known = values[column] as? T, let seen = texts[column], Self.sameBytes(seen, text.text) { return known }
            let value = try row.decodeJSON(column, as: T.self)
            (texts[column], values[column]) = (text.text, value)
            return value
        }

        /// Byte equality. `==` on String compares canonical equivalence, which for text beyond ASCII (names,
        /// errors) walks every character.
        private static func sameBytes(_ a: String, _ b: String) -> Bool {
            var a = a, b = b
            return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
        }
    }

    /// One row, a column per pane (each the json of its read model) and the database clock.
    public static func statement(options: Options) -> SQL {
        """
        SELECT now() AS taken_at,
            (\(SyncStatus.query)) AS status,
            (\(FailedSync.query(limit: options.failedLimit))) AS failed,
            (\(FailedSync.countQuery)) AS failed_total,
            (\(FailedSync.queuedCountQuery)) AS failed_queued,
            (\(StuckSync.query(olderThan: options.stuckOlderThan, limit: options.stuckLimit, includeExpiredLeases: true))) AS stuck,
            (\(RateLimitGauge.query)) AS rate_limit,
            (\(TierUsage.query)) AS tiers,
            (\(ActivityHistory.query)) AS history,
            (\(RecentEvent.query(limit: options.eventLimit))) AS events
        """
    }
}
