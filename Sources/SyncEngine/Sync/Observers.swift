import Foundation
import Postgres

/// Records every rate-limit reading (response headers and GET /rate_limit) for the dashboard's gauge.
public struct RateLimitRecorder: Sendable {
    let database: DatabaseQueue

    public init(database: DatabaseQueue) {
        self.database = database
    }

    public func record(_ snapshot: RateLimitSnapshot, source: String = "response") async {
        // A lost observation only makes the gauge a little older; it must never fail a sync.
        _ = try? await database.run { try Self.record(snapshot, source: source, connection: $0) }
    }

    public static func record(_ snapshot: RateLimitSnapshot, source: String, connection: Connection) throws {
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at, source,
                                                       token_fingerprint)
            VALUES (\(snapshot.observedAt), \(snapshot.resource), \(snapshot.limit), \(snapshot.remaining),
                    \(snapshot.used), \(snapshot.resetAt), \(source), \(snapshot.token))
            """)
    }
}

/// The one channel every change is announced on: operator actions in their own transaction (`AuditLog.record`),
/// sync runs by `EventNotifier`. Dashboards LISTEN and refresh at once.
public enum EventChannel {
    public static let name = "wsync_events"
}

/// NOTIFY on `EventChannel` after runs, at most once per interval per process; a burst ends with one trailing
/// notification so dashboards always see the final state at once.
public actor EventNotifier {
    private let database: DatabaseQueue
    private let interval: Duration
    private var lastSent: ContinuousClock.Instant?
    private var trailingScheduled = false

    public init(database: DatabaseQueue, interval: Duration = .seconds(1)) {
        self.database = database
        self.interval = interval
    }

    public func runFinished() async {
        let now = ContinuousClock.now
        if let lastSent, now - lastSent < interval {
            guard !trailingScheduled else { return }
            trailingScheduled = true
            let wait = interval - (now - lastSent)
            Task {
                try? await Task.sleep(for: wait)
                await self.flush()
            }
            return
        }
        await send()
    }

    /// Sends a pending trailing notification now (before the process exits).
    public func flush() async {
        guard trailingScheduled else { return }
        trailingScheduled = false
        await send()
    }

    private func send() async {
        lastSent = .now
        _ = try? await database.run { try $0.notify(EventChannel.name, payload: "{\"event\":\"sync_finished\"}") }
    }
}

/// The global pause switch (`wsync.pause`), read before each page and each claim.
enum PauseSwitch {
    static func reason(_ connection: Connection) throws -> String? {
        guard let row = try connection.query("SELECT is_paused, reason FROM wsync.pause LIMIT 1").first,
              try row.decode("is_paused", as: Bool.self) else { return nil }
        let reason: String? = try row.decode("reason")
        return "syncing is paused" + (reason.map { " (\($0))" } ?? "")
    }
}
