import Foundation
import Postgres

/// GitHub's core rate limit as last observed in response headers, with the burn rate of the last 15 minutes
/// (the dashboard's Rate limit pane). Null fields mean no observation yet.
public struct RateLimitGauge: Codable, Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    public var used: Int?
    public var resetAt: Date?
    public var observedAt: Date?
    public var observationAgeSeconds: Double?
    /// Calls per minute over the last 15 minutes of observations within the current reset window.
    public var burnPerMinute: Double?
    /// When `remaining` reaches zero at the current burn rate; null when nothing is burning.
    public var projectedExhaustionAt: Date?
    /// True when the projected exhaustion comes before the window resets.
    public var exhaustsBeforeReset: Bool

    public static func fetch(_ connection: Connection) throws -> RateLimitGauge {
        try ReadModelQuery.fetch(connection, query)
    }

    /// The burn rate compares the latest observation with the earliest of the last 15 minutes that shares its reset
    /// window, so a reset in between never looks like negative usage.
    public static let query: SQL = """
        SELECT json_build_object(
            'limit', g.limit_total, 'remaining', g.remaining, 'used', g.used, 'reset_at', g.reset_at,
            'observed_at', g.observed_at, 'observation_age_seconds', g.age_seconds, 'burn_per_minute', g.burn,
            'projected_exhaustion_at', CASE WHEN g.burn > 0 THEN g.observed_at + (g.remaining / g.burn) * interval '1 minute' END,
            'exhausts_before_reset', coalesce(g.burn > 0 AND g.observed_at + (g.remaining / g.burn) * interval '1 minute' < g.reset_at, false))
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
            SELECT latest.limit_total, latest.remaining, latest.used, latest.reset_at, latest.observed_at,
                   EXTRACT(EPOCH FROM (now() - latest.observed_at))::float8 AS age_seconds,
                   CASE WHEN latest.observed_at > earliest.observed_at
                        THEN greatest(latest.used - earliest.used, 0)::float8
                             / (EXTRACT(EPOCH FROM (latest.observed_at - earliest.observed_at))::float8 / 60)
                   END AS burn
            FROM (SELECT * FROM wsync.rate_limit_observations WHERE resource = 'core'
                  ORDER BY observed_at DESC, id DESC LIMIT 1) latest
            LEFT JOIN LATERAL (
                SELECT observed_at, used FROM wsync.rate_limit_observations o
                WHERE o.resource = 'core' AND o.reset_at = latest.reset_at
                  AND o.observed_at >= latest.observed_at - interval '15 minutes'
                ORDER BY o.observed_at, o.id LIMIT 1
            ) earliest ON true
        ) g ON true
        """
}
