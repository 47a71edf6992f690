import Foundation
import Postgres

/// The token pool's shared state in the database (`wsync.github_tokens` and the per-token rate-limit readings), so
/// every worker on every machine sees the same budgets, the same tokens set aside and the same cool-downs.
enum TokenBudgets {
    /// Why nothing can be sent when every token of the pool was refused before.
    static let poolSetAside = "every token of the pool is set aside after a 401; wsync rate-limit checks them again"

    /// One token's standing as the pool sees it.
    struct Standing: Sendable {
        var token: GitHubToken?
        /// Left in the current window as last reported; nil when unknown (never observed, or the window reset since).
        var remaining: Int?
        var resetAt: Date?
        var setAside: Bool
        var coolingUntil: Date?

        func usable(reserve: Int, now: Date) -> Bool {
            !setAside && (coolingUntil.map { $0 <= now } ?? true) && (remaining.map { $0 > reserve } ?? true)
        }

        /// When this token can be used again, if it is only waiting (spent or cooling), not set aside.
        var availableAgainAt: Date? {
            guard !setAside else { return nil }
            return [coolingUntil, remaining != nil ? resetAt : nil].compactMap { $0 }.max()
        }
    }

    /// The pool's tokens in their given order; with no token, the one unauthenticated budget.
    static func standings(_ c: Connection, pool: [GitHubToken]) throws -> [Standing] {
        let candidates: [GitHubToken?] = pool.isEmpty ? [nil] : pool
        let fingerprints = candidates.map { $0?.fingerprint ?? GitHubToken.anonymousFingerprint }
        let rows = try c.query("""
            SELECT f.fingerprint, t.set_aside_at IS NOT NULL AS set_aside, t.cooling_until,
                   CASE WHEN o.reset_at > now() THEN o.remaining END AS remaining, o.reset_at
            FROM unnest(\(fingerprints)::text[]) WITH ORDINALITY AS f(fingerprint, position)
            LEFT JOIN wsync.github_tokens t ON t.fingerprint = f.fingerprint
            LEFT JOIN LATERAL (
                SELECT remaining, reset_at FROM wsync.rate_limit_observations o
                WHERE o.token_fingerprint = f.fingerprint AND o.resource = 'core'
                ORDER BY o.observed_at DESC, o.id DESC LIMIT 1
            ) o ON true
            ORDER BY f.position
            """)
        return try zip(candidates, rows).map { token, row in
            Standing(token: token, remaining: try row.decode("remaining"), resetAt: try row.decode("reset_at"),
                     setAside: try row.decode("set_aside"), coolingUntil: try row.decode("cooling_until"))
        }
    }

    /// The token a run should use: `preferred` (the one its ETag was made with, so a 304 stays free) while it has
    /// more than `reserve` left, else the usable token with the most remaining (unknown counts as full). Tokens in
    /// `spent` (exhausted during this run, with their reset) are skipped.
    static func choose(
        _ standings: [Standing], preferred: String?, spent: [String: Date] = [:], reserve: Int, now: Date = Date()
    ) -> TokenChoice {
        let usable = standings.filter {
            spent[$0.token?.fingerprint ?? GitHubToken.anonymousFingerprint] == nil && $0.usable(reserve: reserve, now: now)
        }
        if let preferred, let match = usable.first(where: { $0.token?.fingerprint == preferred }) { return .use(match.token) }
        if let best = usable.max(by: { ($0.remaining ?? .max) < ($1.remaining ?? .max) }) { return .use(best.token) }
        if !standings.isEmpty, standings.allSatisfy(\.setAside) { return .allRefused }
        let again = (standings.compactMap(\.availableAgainAt) + spent.values).min() ?? now.addingTimeInterval(60)
        return .exhausted(until: max(again, now))
    }

    /// Makes the pool's tokens known (fingerprint and label only).
    static func register(_ c: Connection, pool: [GitHubToken]) throws {
        for token in pool {
            try c.execute("""
                INSERT INTO wsync.github_tokens (fingerprint, label) VALUES (\(token.fingerprint), \(token.label))
                ON CONFLICT (fingerprint) DO UPDATE SET label = coalesce(EXCLUDED.label, wsync.github_tokens.label)
                """)
        }
    }

    /// GitHub refused the token (401): no worker uses it again until `wsync rate-limit` finds it accepted. Returns
    /// false when it was set aside already (another run got there first), so the operator hears of it once.
    @discardableResult
    static func setAside(_ c: Connection, token: GitHubToken, reason: String) throws -> Bool {
        try c.execute("""
            INSERT INTO wsync.github_tokens (fingerprint, label, set_aside_at, set_aside_reason)
            VALUES (\(token.fingerprint), \(token.label), now(), \(reason))
            ON CONFLICT (fingerprint) DO UPDATE SET set_aside_at = now(), set_aside_reason = EXCLUDED.set_aside_reason
            WHERE wsync.github_tokens.set_aside_at IS NULL
            """) == 1
    }

    /// GitHub accepted the token again: it rejoins the pool.
    static func restore(_ c: Connection, token: GitHubToken) throws {
        try c.execute("""
            UPDATE wsync.github_tokens SET set_aside_at = NULL, set_aside_reason = NULL WHERE fingerprint = \(token.fingerprint)
            """)
    }

    /// A secondary limit: nobody sends with this token (or unauthenticated) before `until`.
    static func coolDown(_ c: Connection, token: GitHubToken?, until: Date) throws {
        try c.execute("""
            INSERT INTO wsync.github_tokens (fingerprint, label, cooling_until)
            VALUES (\(token?.fingerprint ?? GitHubToken.anonymousFingerprint), \(token?.label), \(until))
            ON CONFLICT (fingerprint) DO UPDATE
            SET cooling_until = GREATEST(wsync.github_tokens.cooling_until, EXCLUDED.cooling_until)
            """)
    }
}

/// Which token a run goes on with.
enum TokenChoice: Sendable, Equatable {
    /// This token (nil: unauthenticated, when the pool is empty).
    case use(GitHubToken?)
    /// Every token is spent or cooling; the first is usable again at `until`.
    case exhausted(until: Date)
    /// GitHub refused every token of the pool.
    case allRefused
}
