import Foundation
import Postgres

/// `wsync rate-limit`: every token of the pool asked `GET /rate_limit` (free), the pool's total and its next reset.
/// A token GitHub refuses is reported (and set aside when recorded); one it accepts again rejoins the pool.
public struct PoolReading: Codable, Sendable, Equatable {
    public struct TokenReading: Codable, Sendable, Equatable {
        public var fingerprint: String
        public var label: String?
        public var limit: Int?
        public var remaining: Int?
        public var used: Int?
        public var resetAt: Date?
        /// GitHub's refusal (401), if it refused the token.
        public var refused: String?

        /// What lines call it: its label, its fingerprint, or "no token" for unauthenticated requests.
        public var name: String { label ?? (fingerprint.isEmpty ? "no token" : fingerprint) }
    }

    public var resource: String
    /// Sums over the tokens GitHub accepted.
    public var limit: Int
    public var remaining: Int
    public var used: Int
    /// The earliest reset among the accepted tokens.
    public var resetAt: Date?
    public var tokens: [TokenReading]

    /// Asks GitHub about every token (unauthenticated when the pool is empty). Fails only when GitHub cannot be
    /// asked at all; a refused token is part of the reading.
    public static func read(_ client: GitHubClient) async throws -> (reading: PoolReading, snapshots: [RateLimitSnapshot]) {
        let pool: [GitHubToken?] = client.configuration.tokens.isEmpty ? [nil] : client.configuration.tokens
        var readings: [TokenReading] = [], snapshots: [RateLimitSnapshot] = []
        for token in pool {
            var reading = TokenReading(fingerprint: token?.fingerprint ?? GitHubToken.anonymousFingerprint, label: token?.label)
            do {
                let snapshot = try await client.rateLimit(token: token)
                snapshots.append(snapshot)
                (reading.limit, reading.remaining, reading.used, reading.resetAt) = (snapshot.limit, snapshot.remaining, snapshot.used, snapshot.resetAt)
            } catch GitHubError.badCredentials(let message) {
                reading.refused = message
            }
            readings.append(reading)
        }
        return (PoolReading(
            resource: "core", limit: snapshots.map(\.limit).reduce(0, +), remaining: snapshots.map(\.remaining).reduce(0, +),
            used: snapshots.map(\.used).reduce(0, +), resetAt: snapshots.map(\.resetAt).min(), tokens: readings
        ), snapshots)
    }

    /// Records the readings for every worker: budgets under their fingerprints, refused tokens set aside, accepted
    /// ones back in the pool. One transaction.
    public func record(_ snapshots: [RateLimitSnapshot], pool: [GitHubToken], connection: Connection) throws {
        try connection.transaction { c in
            try TokenBudgets.register(c, pool: pool)
            for snapshot in snapshots { try RateLimitRecorder.record(snapshot, source: "rate_limit", connection: c) }
            for token in pool {
                if let refusal = tokens.first(where: { $0.fingerprint == token.fingerprint })?.refused {
                    try TokenBudgets.setAside(c, token: token, reason: "GitHub answered 401 (\(refusal))")
                } else {
                    try TokenBudgets.restore(c, token: token)
                }
            }
        }
    }
}
