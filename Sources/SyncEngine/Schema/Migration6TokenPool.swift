import Postgres

extension Migration {
    /// The token pool and GitHub's answers over time: each rate-limit reading names its token by fingerprint (never
    /// the token), tokens set aside or cooling after a secondary limit are shared by every worker, the ETag names the
    /// token it was made with (GitHub's ETags vary by token), and a streak of "gone" answers (404/410) is counted so a
    /// repository that stays gone is deactivated instead of retried forever. Additive; every new column has a default.
    static let tokenPool = Migration(version: 6, name: "token pool budgets, ETag token, gone streaks", script: """
        ALTER TABLE wsync.rate_limit_observations
            ADD COLUMN IF NOT EXISTS token_fingerprint text NOT NULL DEFAULT '';
        CREATE INDEX IF NOT EXISTS wsync_rate_limit_token_idx
            ON wsync.rate_limit_observations (token_fingerprint, resource, observed_at DESC);

        CREATE TABLE IF NOT EXISTS wsync.github_tokens (
            fingerprint text PRIMARY KEY,
            label text,
            first_seen_at timestamptz NOT NULL DEFAULT now(),
            set_aside_at timestamptz,
            set_aside_reason text,
            cooling_until timestamptz
        );

        ALTER TABLE workspace_tracked_repositories
            ADD COLUMN IF NOT EXISTS issues_etag_token text DEFAULT NULL,
            ADD COLUMN IF NOT EXISTS gone_count integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS gone_since timestamptz DEFAULT NULL;
        """)
}
