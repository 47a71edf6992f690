import Foundation
import Postgres

/// A realistic spread of workspaces, repositories and sync jobs for the demo and the tests: every tier, every sync
/// state (fresh, stale, failed, partial, never synced, overdue, leased, expired lease, inactive), a day of sync-run
/// history, rate-limit observations, cache entries and daily metrics old enough to clean up, and issues.
/// Deterministic for a given `randomSeed`; set-based (a handful of statements in one transaction).
public enum DemoSeed {
    public struct Options: Sendable {
        public var workspaces: Int
        /// Also create issues and contributors. The demo may leave them to the sync worker instead.
        public var includeIssues: Bool
        /// In -1…1, for PostgreSQL's `setseed`.
        public var randomSeed: Double
        /// The workspaces' owner, where the database requires a real one (production's owner_id references the
        /// app's users); nil gives each workspace a made-up owner.
        public var ownerID: UUID?
        /// The token whose rate-limit history is seeded (its fingerprint; "" for unauthenticated requests), so the
        /// seeded readings and the live ones are one token's.
        public var rateLimitToken: String

        public init(
            workspaces: Int = 40, includeIssues: Bool = true, randomSeed: Double = 0.42, ownerID: UUID? = nil,
            rateLimitToken: String = GitHubToken.anonymousFingerprint
        ) {
            self.workspaces = workspaces
            self.includeIssues = includeIssues
            self.randomSeed = randomSeed
            self.ownerID = ownerID
            self.rateLimitToken = rateLimitToken
        }
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var workspaces: Int
        public var repositories: Int
        public var jobs: Int
        public var unlinked: Int
        public var syncRuns: Int
        public var issues: Int
    }

    /// Tracked repositories per workspace by tier ("top": the richest tier the database allows); 40 workspaces
    /// come to about 300 repositories.
    static let repositoriesPerTier: [String: Int] = ["free": 3, "pro": 12, "top": 21]

    /// The richest tier the database allows: team in production today, private in the guide's era.
    static func topTier(_ connection: Connection) throws -> String {
        let names = try Tier.existing(connection).map(\.rawValue)
        return ["enterprise", "team", "private"].first(where: names.contains) ?? "pro"
    }

    @discardableResult
    public static func seed(_ connection: Connection, options: Options = Options()) throws -> Summary {
        guard options.workspaces > 0, options.workspaces <= 10_000 else {
            throw WSyncError.invalidInput(.workspaces, value: String(options.workspaces), rule: "must be between 1 and 10000")
        }
        return try connection.transaction { connection in
            try connection.execute("SELECT setseed(\(options.randomSeed))")
            try seedWorkspacesAndRepositories(connection, count: options.workspaces, topTier: try topTier(connection),
                                              owner: options.ownerID)
            try seedJobs(connection, topTier: try topTier(connection))
            try seedHistory(connection, rateLimitToken: options.rateLimitToken)
            if options.includeIssues { try seedIssues(connection) }
            let rows = try connection.query("""
                SELECT (SELECT count(*) FROM workspaces WHERE slug LIKE 'demo-%') AS workspaces,
                       (SELECT count(*) FROM repositories WHERE github_id >= \(githubIDBase)) AS repositories,
                       (SELECT count(*) FROM workspace_tracked_repositories) AS jobs,
                       (SELECT count(*) FROM workspace_repositories wr WHERE NOT EXISTS (
                            SELECT 1 FROM workspace_tracked_repositories wtr
                            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                            WHERE wtr.workspace_id = wr.workspace_id AND tr.repository_id = wr.repository_id)) AS unlinked,
                       (SELECT count(*) FROM wsync.sync_runs) AS sync_runs,
                       (SELECT count(*) FROM issues) AS issues
                """)
            let row = rows[0]
            return Summary(workspaces: try row.decode("workspaces"), repositories: try row.decode("repositories"),
                           jobs: try row.decode("jobs"), unlinked: try row.decode("unlinked"),
                           syncRuns: try row.decode("sync_runs"), issues: try row.decode("issues"))
        }
    }

    static let githubIDBase = 700_000_000

    /// Workspaces cycle through tiers (6 free, 3 pro, 1 private in every 10); each gets a consecutive block of
    /// repositories, all members via `workspace_repositories`.
    private static func seedWorkspacesAndRepositories(_ connection: Connection, count: Int, topTier: String, owner: UUID?) throws {
        try connection.execute("""
            INSERT INTO workspaces (name, slug, tier, max_repositories, data_retention_days, owner_id)
            SELECT initcap((ARRAY['acme','globex','initech','umbrella','hooli','stark','wayne','tyrell','cyberdyne','soylent',
                                  'wonka','oscorp','aperture','massive','vandelay','dunder','pied-piper','nakatomi'])[1 + (i - 1) % 18])
                       || ' ' || (ARRAY['Platform','Web','Data','Mobile','Infra','Research','Docs'])[1 + (i - 1) % 7] || ' ' || i,
                   'demo-' || lpad(i::text, greatest(4, length(i::text)), '0'),
                   CASE WHEN i % 10 = 0 THEN \(topTier) WHEN i % 10 IN (3, 6, 9) THEN 'pro' ELSE 'free' END,
                   -- One above the repositories: production's count triggers count an insert twice.
                   CASE WHEN i % 10 = 0 THEN 50 WHEN i % 10 IN (3, 6, 9) THEN 15 ELSE 4 END,
                   CASE WHEN i % 10 = 0 THEN 365 WHEN i % 10 IN (3, 6, 9) THEN 90 ELSE 30 END,
                   coalesce(\(owner)::uuid, gen_random_uuid())
            FROM generate_series(1, \(count)) AS i
            """)
        try connection.execute("""
            WITH plan AS (
                SELECT w.id AS workspace_id,
                       CASE w.tier WHEN \(topTier) THEN \(repositoriesPerTier["top"]!)::int WHEN 'pro' THEN \(repositoriesPerTier["pro"]!)::int
                                   ELSE \(repositoriesPerTier["free"]!)::int END AS repositories,
                       row_number() OVER (ORDER BY w.slug) AS ordinal
                FROM workspaces w WHERE w.slug LIKE 'demo-%'
            ), blocks AS (
                SELECT workspace_id, sum(repositories) OVER (ORDER BY ordinal) - repositories AS first, repositories FROM plan
            ), numbered AS (
                SELECT b.workspace_id, b.first + n AS k
                FROM blocks b, generate_series(1, b.repositories) AS n
            ), repos AS (
                INSERT INTO repositories (github_id, full_name, owner, name, stargazers_count, has_issues)
                SELECT \(githubIDBase) + k,
                       owner || '/' || name || '-' || k, owner, name || '-' || k,
                       (random() * random() * 40000)::int, k % 97 <> 0
                FROM (SELECT k,
                             (ARRAY['octo-org','swiftlang','vapor','pgcorp','rustacean','kube-lab','webkitty','dataflow'])[1 + k % 8] AS owner,
                             (ARRAY['api','web','cli','server','sdk','docs','engine','parser','router','store','ui','worker'])[1 + k % 12] AS name
                      FROM numbered) named
                RETURNING id, github_id
            ), tracked AS (
                INSERT INTO tracked_repositories (repository_id) SELECT id FROM repos RETURNING id, repository_id
            )
            INSERT INTO workspace_repositories (workspace_id, repository_id, added_by)
            SELECT n.workspace_id, r.id, \(owner)::uuid FROM numbered n JOIN repos r ON r.github_id = \(githubIDBase) + n.k
            """)
        try connection.execute("""
            UPDATE workspaces w SET current_repository_count = m.repositories
            FROM (SELECT workspace_id, count(*) AS repositories FROM workspace_repositories GROUP BY workspace_id) m
            WHERE m.workspace_id = w.id AND w.slug LIKE 'demo-%'
            """)
    }

    /// One job per membership except about 3%, left for `wsync link`; each job is given one state.
    private static func seedJobs(_ connection: Connection, topTier: String) throws {
        try connection.execute("""
            INSERT INTO workspace_tracked_repositories (
                workspace_id, tracked_repository_id, sync_frequency_hours, data_retention_days, added_at, added_by,
                last_sync_at, next_sync_at, last_sync_status, last_sync_error, sync_attempts, total_issues_fetched,
                priority_score, is_active, lease_owner, lease_expires_at, last_attempt_at)
            SELECT s.workspace_id, s.tracked_id, s.frequency, s.retention, now() - interval '60 days', s.added_by,
                   s.last_sync_at,
                   CASE s.state WHEN 'never' THEN now() - random() * interval '30 minutes'
                                WHEN 'overdue' THEN now() - (3 + random() * 30) * interval '1 hour'
                                WHEN 'expired_lease' THEN now() - (2 + random() * 3) * interval '1 hour'
                                WHEN 'failed' THEN now() + random() * interval '2 hours'
                                ELSE s.last_sync_at + s.frequency * interval '1 hour' END,
                   CASE s.state WHEN 'never' THEN NULL WHEN 'failed' THEN 'failed' WHEN 'partial' THEN 'partial' ELSE 'success' END,
                   CASE WHEN s.state = 'failed' THEN (ARRAY[
                       'GitHub returned 404 Not Found: the repository was deleted or made private',
                       'GitHub returned 410 Gone: issues are disabled for this repository',
                       'GitHub returned 502 Bad Gateway after 3 retries',
                       'timed out after 30 s waiting for api.github.com',
                       'malformed JSON in page 3 of issues: unexpected end of input at byte 18211',
                       E'GitHub returned 422: title contains \\u001b[31mcontrol\\u001b[0m sequences\\r\\nsecond line',
                       'secondary rate limit: retry after 60 s'])[1 + floor(random() * 7)::int] END,
                   CASE WHEN s.state = 'failed' THEN 1 + floor(random() * 8)::int ELSE 0 END,
                   CASE WHEN s.state = 'never' THEN 0 ELSE floor(random() * random() * 4000)::int END,
                   floor(random() * 101)::int,
                   s.state <> 'inactive',
                   CASE WHEN s.state IN ('leased', 'expired_lease') THEN 'demo-worker-' || (1 + floor(random() * 3)::int) END,
                   CASE WHEN s.state = 'leased' THEN now() + random() * interval '5 minutes'
                        WHEN s.state = 'expired_lease' THEN now() - random() * interval '50 minutes' END,
                   CASE WHEN s.state = 'never' THEN NULL ELSE greatest(s.last_sync_at, now() - interval '3 hours') END
            FROM (
                SELECT p.*,
                       CASE WHEN p.state IN ('never') THEN NULL
                            WHEN p.state = 'stale' THEN now() - (p.frequency * (1.5 + random() * 3)) * interval '1 hour'
                            WHEN p.state IN ('overdue', 'expired_lease') THEN now() - (p.frequency + 6 + random() * 30) * interval '1 hour'
                            ELSE now() - random() * p.frequency * interval '1 hour' END AS last_sync_at
                FROM (
                    SELECT wr.workspace_id, tr.id AS tracked_id, coalesce(wr.added_by, w.owner_id) AS added_by,
                           (CASE w.tier WHEN \(topTier) THEN ARRAY[1, 2, 4, 4, 6] WHEN 'pro' THEN ARRAY[4, 8, 8, 12]
                                        ELSE ARRAY[24, 24, 24, 48] END)[1 + floor(random() * 4)::int] AS frequency,
                           greatest(7, least(365, w.data_retention_days)) AS retention,
                           CASE WHEN x < 0.60 THEN 'success' WHEN x < 0.68 THEN 'stale' WHEN x < 0.77 THEN 'failed'
                                WHEN x < 0.82 THEN 'partial' WHEN x < 0.88 THEN 'never' WHEN x < 0.92 THEN 'overdue'
                                WHEN x < 0.94 THEN 'leased' WHEN x < 0.955 THEN 'expired_lease' ELSE 'inactive' END AS state
                    FROM (SELECT wr.*, random() AS x, random() AS link_draw FROM workspace_repositories wr) wr
                    JOIN workspaces w ON w.id = wr.workspace_id
                    JOIN tracked_repositories tr ON tr.repository_id = wr.repository_id
                    WHERE w.slug LIKE 'demo-%' AND wr.link_draw >= 0.03
                ) p
            ) s
            -- Where the app's trigger already made the job (production), the seeded state replaces its defaults.
            ON CONFLICT (workspace_id, tracked_repository_id) DO UPDATE
            SET sync_frequency_hours = EXCLUDED.sync_frequency_hours, data_retention_days = EXCLUDED.data_retention_days,
                added_at = EXCLUDED.added_at, last_sync_at = EXCLUDED.last_sync_at, next_sync_at = EXCLUDED.next_sync_at,
                last_sync_status = EXCLUDED.last_sync_status, last_sync_error = EXCLUDED.last_sync_error,
                sync_attempts = EXCLUDED.sync_attempts, total_issues_fetched = EXCLUDED.total_issues_fetched,
                priority_score = EXCLUDED.priority_score, is_active = EXCLUDED.is_active,
                lease_owner = EXCLUDED.lease_owner, lease_expires_at = EXCLUDED.lease_expires_at,
                last_attempt_at = EXCLUDED.last_attempt_at
            """)
    }

    /// A day of sync-run history (denser in the last hour), a day of rate-limit observations (every minute in the last
    /// 20), cache entries and daily metrics, some of them old enough for `wsync cleanup`.
    private static func seedHistory(_ connection: Connection, rateLimitToken: String) throws {
        try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, trigger, started_at, finished_at,
                                         duration_ms, api_calls, not_modified, pages, issues_fetched, issues_stored, status, error)
            SELECT r.job_id, r.workspace_id, r.repository_id, 'demo-worker-' || (1 + floor(random() * 3)::int),
                   CASE WHEN random() < 0.1 THEN 'manual' ELSE 'schedule' END,
                   r.started_at, r.started_at + r.duration_ms * interval '1 millisecond', r.duration_ms,
                   r.api_calls, CASE WHEN r.status = 'success' THEN floor(random() * r.api_calls)::int ELSE 0 END,
                   r.api_calls, r.issues, r.issues, r.status,
                   CASE WHEN r.status = 'failed' THEN 'GitHub returned 502 Bad Gateway after 3 retries' END
            FROM (
                SELECT wtr.id AS job_id, wtr.workspace_id, tr.repository_id,
                       now() - CASE WHEN random() < 0.25 THEN random() * interval '1 hour'
                                    ELSE random() * interval '24 hours' END AS started_at,
                       (150 + random() * random() * 12000)::int AS duration_ms,
                       1 + floor(random() * 8)::int AS api_calls,
                       floor(random() * random() * 120)::int AS issues,
                       CASE WHEN random() < 0.08 THEN 'failed' WHEN random() < 0.05 THEN 'partial' ELSE 'success' END AS status
                FROM workspace_tracked_repositories wtr
                JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                CROSS JOIN generate_series(1, 3)
                WHERE wtr.last_sync_at IS NOT NULL
            ) r
            """)
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at,
                                                       token_fingerprint)
            SELECT now() - m * interval '1 minute', 'core', 5000, 5000 - used, used,
                   date_trunc('hour', now()) + interval '1 hour', \(rateLimitToken)
            FROM (SELECT m, 1200 + (20 - m) * 45 AS used FROM generate_series(0, 20) AS m) o
            """)
        // The day before those 20 minutes, a reading every 10 minutes: each hour's window fills at a rate that rises
        // and falls over the day, nearly running out at its peak (the dashboard's 24-hour rate-limit sparkline).
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at,
                                                       token_fingerprint)
            SELECT t, 'core', 5000, 5000 - used, used, date_trunc('hour', t) + interval '1 hour', \(rateLimitToken)
            FROM (SELECT now() - m * interval '10 minutes' AS t, m FROM generate_series(3, 143) AS m) s
            CROSS JOIN LATERAL (
                SELECT least(5000, (EXTRACT(MINUTE FROM s.t) / 60.0 * (1500 + 3400 * (0.5 + 0.5 * sin(s.m / 12.0)))))::int AS used
            ) u
            """)
        try connection.execute("""
            INSERT INTO workspace_issues_cache (workspace_id, period_start, period_end, time_range, total_issues, open_issues,
                                                closed_issues, calculated_at, expires_at, is_stale)
            SELECT id, now() - span, now(), range, 0, 0, 0, now() - age, now() - age + interval '1 hour', age > interval '1 hour'
            FROM (
                SELECT w.id, t.range, t.span,
                       CASE WHEN random() < 0.3 THEN (8 + random() * 20) * interval '1 day' ELSE random() * interval '2 hours' END AS age
                FROM workspaces w
                CROSS JOIN (VALUES ('24h', interval '1 day'), ('7d', interval '7 days'), ('30d', interval '30 days')) AS t(range, span)
                WHERE w.slug LIKE 'demo-%'
            ) c
            """)
        try connection.execute("""
            INSERT INTO daily_activity_metrics (repository_id, date, issues_opened, issues_closed)
            SELECT r.id, current_date - d, floor(random() * 12)::int, floor(random() * 10)::int
            FROM (SELECT id FROM repositories WHERE github_id >= \(githubIDBase) ORDER BY github_id LIMIT 20) r
            CROSS JOIN generate_series(0, 119) AS d
            """)
    }

    /// Issues of the last weeks: a few busy repositories get more than 50 in the last 7 days (frequency candidates).
    private static func seedIssues(_ connection: Connection) throws {
        try connection.execute("""
            INSERT INTO contributors (github_id, username, avatar_url, is_bot)
            SELECT \(githubIDBase) + i, 'dev' || i, 'https://avatars.example/' || i, i % 25 = 0
            FROM generate_series(1, 60) AS i
            """)
        try connection.execute("""
            INSERT INTO issues (github_id, repository_id, number, title, body, state, author_id, created_at, updated_at,
                                closed_at, comments_count)
            SELECT \(Int64(githubIDBase) * 10) + row_number() OVER (), id, n,
                   'Issue ' || n || ' of ' || full_name, 'seeded', CASE WHEN closed THEN 'closed' ELSE 'open' END,
                   (SELECT c.id FROM contributors c WHERE c.github_id = \(githubIDBase) + 1 + (n % 60)),
                   created, created + interval '1 hour', CASE WHEN closed THEN created + interval '2 hours' END,
                   floor(random() * 9)::int
            FROM (
                SELECT r.id, r.full_name, n,
                       now() - random() * interval '13 days' * CASE WHEN r.github_id % 29 = 0 THEN 0.5 ELSE 1 END AS created,
                       random() < 0.4 AS closed
                FROM repositories r
                CROSS JOIN LATERAL generate_series(1, CASE WHEN r.github_id % 29 = 0 THEN 80 ELSE 4 END) AS n
                WHERE r.github_id >= \(githubIDBase)
            ) i
            """)
    }
}
