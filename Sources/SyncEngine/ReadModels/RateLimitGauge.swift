import Foundation
import Postgres

/// GitHub's core rate limit across the token pool, as last observed in response headers, with the burn rate of the
/// last 15 minutes (the dashboard's Rate limit pane, `wsync rate-limit`). The top-level numbers are the pool's: the
/// sums over the tokens not set aside, the next reset, the newest observation. Null fields mean no observation yet.
public struct RateLimitGauge: Codable, Sendable, Equatable {
    public var limit: Int?
    public var remaining: Int?
    public var used: Int?
    /// The next reset of any token (or the last one, when every window has passed).
    public var resetAt: Date?
    public var observedAt: Date?
    public var observationAgeSeconds: Double?
    /// Calls per minute over the last 15 minutes of observations within each token's current reset window.
    public var burnPerMinute: Double?
    /// The time the burn rate covers: 15 minutes at most, less just after a reset (it never reaches back across one)
    /// or when observations are few; for a pool, the shortest of its tokens'.
    public var burnWindowSeconds: Double?
    /// When `remaining` reaches zero at the current burn rate; null when nothing is burning.
    public var projectedExhaustionAt: Date?
    /// True when the projected exhaustion comes before the next reset.
    public var exhaustsBeforeReset: Bool
    /// Each token seen in the last day, by label, then fingerprint.
    public var tokens: [TokenBudget]

    /// One token's budget. `remaining` is the full limit once its window has reset.
    public struct TokenBudget: Codable, Sendable, Equatable {
        public var fingerprint: String
        public var label: String?
        public var limit: Int?
        public var remaining: Int?
        public var resetAt: Date?
        public var observedAt: Date?
        public var burnPerMinute: Double?
        public var setAsideAt: Date?
        public var setAsideReason: String?
        public var coolingUntil: Date?

        /// What panes and lines call it: its label, its fingerprint, or "no token" for unauthenticated requests.
        public var name: String { label ?? (fingerprint.isEmpty ? "no token" : fingerprint) }
    }

    public static func fetch(_ connection: Connection) throws -> RateLimitGauge {
        try ReadModelQuery.fetch(connection, query)
    }

    /// A token's burn rate compares its latest observation with its earliest of the last 15 minutes that shares the
    /// reset window, so a reset in between never looks like negative usage.
    public static let query: SQL = """
        WITH token_budgets AS (\(tokenBudgets))
        SELECT json_build_object(
            'limit', p.limit_total, 'remaining', p.remaining, 'used', p.used, 'reset_at', p.reset_at,
            'observed_at', p.observed_at, 'observation_age_seconds', EXTRACT(EPOCH FROM (now() - p.observed_at))::float8,
            'burn_per_minute', p.burn, 'burn_window_seconds', p.burn_window_seconds,
            'projected_exhaustion_at', CASE WHEN p.burn > 0 THEN p.observed_at + (p.remaining / p.burn) * interval '1 minute' END,
            'exhausts_before_reset', coalesce(p.burn > 0 AND p.observed_at + (p.remaining / p.burn) * interval '1 minute' < p.reset_at, false),
            'tokens', coalesce((SELECT json_agg(json_build_object(
                    'fingerprint', t.fingerprint, 'label', t.label, 'limit', t.limit_total, 'remaining', t.remaining,
                    'reset_at', t.reset_at, 'observed_at', t.observed_at, 'burn_per_minute', t.burn,
                    'set_aside_at', t.set_aside_at, 'set_aside_reason', t.set_aside_reason, 'cooling_until', t.cooling_until)
                    ORDER BY t.label NULLS LAST, t.fingerprint) FROM token_budgets t), '[]'))
        FROM (
            SELECT sum(limit_total)::int AS limit_total, sum(remaining)::int AS remaining, sum(used)::int AS used,
                   coalesce(min(reset_at) FILTER (WHERE reset_at > now()), max(reset_at)) AS reset_at,
                   max(observed_at) AS observed_at, sum(burn) AS burn, min(burn_window_seconds) AS burn_window_seconds
            FROM token_budgets WHERE set_aside_at IS NULL AND observed_at IS NOT NULL
        ) p
        """

    /// The latest reading of each token seen in the last day (and of tokens set aside or cooling down), joined with
    /// its standing in the pool; a window that has reset counts as full.
    static let tokenBudgets: SQL = """
        WITH latest AS (
            SELECT DISTINCT ON (o.token_fingerprint) o.token_fingerprint, o.limit_total, o.remaining, o.used, o.reset_at,
                   o.observed_at
            FROM wsync.rate_limit_observations o
            WHERE o.resource = 'core' AND o.observed_at > now() - interval '1 day'
            ORDER BY o.token_fingerprint, o.observed_at DESC, o.id DESC
        ), known AS (
            SELECT token_fingerprint AS fingerprint FROM latest
            UNION
            SELECT fingerprint FROM wsync.github_tokens WHERE set_aside_at > now() - interval '1 day' OR cooling_until > now()
        )
        SELECT k.fingerprint, g.label, g.set_aside_at, g.set_aside_reason, g.cooling_until, l.limit_total, l.reset_at,
               l.observed_at,
               CASE WHEN l.reset_at <= now() THEN l.limit_total ELSE l.remaining END AS remaining,
               CASE WHEN l.reset_at <= now() THEN 0 ELSE l.used END AS used,
               CASE WHEN l.observed_at > e.observed_at
                    THEN greatest(l.used - e.used, 0)::float8 / (EXTRACT(EPOCH FROM (l.observed_at - e.observed_at))::float8 / 60)
               END AS burn,
               CASE WHEN l.observed_at > e.observed_at THEN EXTRACT(EPOCH FROM (l.observed_at - e.observed_at))::float8 END
                   AS burn_window_seconds
        FROM known k
        LEFT JOIN latest l ON l.token_fingerprint = k.fingerprint
        LEFT JOIN wsync.github_tokens g ON g.fingerprint = k.fingerprint
        LEFT JOIN LATERAL (
            SELECT observed_at, used FROM wsync.rate_limit_observations e
            WHERE e.resource = 'core' AND e.token_fingerprint = l.token_fingerprint AND e.reset_at = l.reset_at
              AND e.observed_at >= l.observed_at - interval '15 minutes'
            ORDER BY e.observed_at, e.id LIMIT 1
        ) e ON true
        """
}
