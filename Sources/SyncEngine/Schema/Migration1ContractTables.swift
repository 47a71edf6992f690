import Postgres

extension Migration {
    /// The tables of the operations guide, as production has them. Everything is IF NOT EXISTS so that a database
    /// that already holds them keeps its rows, extra columns, constraints and triggers; columns are added one by one
    /// in case an older production table lacks some. Where production defines a shape (the tier check, the row-time
    /// columns of contributors and repositories, the cache's key), a new database gets the same one, so a fresh
    /// install and production run the same code. (Installs made before that keep their shape: wsync reads the
    /// catalog, see `SchemaCatalog`.)
    static let contractTables = Migration(version: 1, name: "contract tables of the workspace sync system", script: """
        CREATE TABLE IF NOT EXISTS workspaces (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name text NOT NULL,
            slug text NOT NULL UNIQUE,
            owner_id uuid,
            tier text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'pro', 'team')),
            max_repositories integer NOT NULL DEFAULT 4,
            current_repository_count integer NOT NULL DEFAULT 0,
            data_retention_days integer NOT NULL DEFAULT 30,
            is_active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS repositories (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            github_id bigint NOT NULL UNIQUE,
            full_name text NOT NULL UNIQUE,
            owner text NOT NULL,
            name text NOT NULL,
            stargazers_count integer NOT NULL DEFAULT 0,
            has_issues boolean NOT NULL DEFAULT true,
            first_tracked_at timestamptz NOT NULL DEFAULT now(),
            last_updated_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS tracked_repositories (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            repository_id uuid NOT NULL UNIQUE REFERENCES repositories(id) ON DELETE CASCADE,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS workspace_repositories (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            added_at timestamptz NOT NULL DEFAULT now(),
            added_by uuid,
            UNIQUE (workspace_id, repository_id)
        );

        CREATE TABLE IF NOT EXISTS workspace_tracked_repositories (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            tracked_repository_id uuid NOT NULL REFERENCES tracked_repositories(id) ON DELETE CASCADE,
            sync_frequency_hours integer NOT NULL DEFAULT 24 CHECK (sync_frequency_hours BETWEEN 1 AND 168),
            data_retention_days integer NOT NULL DEFAULT 30 CHECK (data_retention_days BETWEEN 7 AND 365),
            fetch_issues boolean NOT NULL DEFAULT true,
            added_at timestamptz NOT NULL DEFAULT now(),
            added_by uuid,
            last_sync_at timestamptz,
            next_sync_at timestamptz DEFAULT now(),
            last_sync_status text CHECK (last_sync_status IN ('success', 'partial', 'failed')),
            last_sync_error text,
            sync_attempts integer NOT NULL DEFAULT 0,
            total_issues_fetched integer NOT NULL DEFAULT 0,
            priority_score integer NOT NULL DEFAULT 50 CHECK (priority_score BETWEEN 0 AND 100),
            is_active boolean NOT NULL DEFAULT true,
            UNIQUE (workspace_id, tracked_repository_id)
        );

        CREATE TABLE IF NOT EXISTS contributors (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            github_id bigint NOT NULL UNIQUE,
            username text NOT NULL UNIQUE,
            avatar_url text,
            is_bot boolean NOT NULL DEFAULT false,
            first_seen_at timestamptz NOT NULL DEFAULT now(),
            last_updated_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE IF NOT EXISTS issues (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            github_id bigint NOT NULL UNIQUE,
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            number integer NOT NULL,
            title text NOT NULL,
            body text,
            state text NOT NULL,
            author_id uuid REFERENCES contributors(id) ON DELETE SET NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            closed_at timestamptz,
            labels jsonb NOT NULL DEFAULT '[]',
            assignees jsonb NOT NULL DEFAULT '[]',
            milestone jsonb,
            comments_count integer NOT NULL DEFAULT 0,
            is_pull_request boolean NOT NULL DEFAULT false,
            UNIQUE (repository_id, number)
        );

        CREATE TABLE IF NOT EXISTS daily_activity_metrics (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            date date NOT NULL,
            issues_opened integer NOT NULL DEFAULT 0,
            issues_closed integer NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (repository_id, date)
        );

        CREATE TABLE IF NOT EXISTS daily_activity_metrics_archive (LIKE daily_activity_metrics INCLUDING DEFAULTS);

        CREATE TABLE IF NOT EXISTS workspace_issues_cache (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            period_start timestamptz NOT NULL,
            period_end timestamptz NOT NULL,
            time_range text NOT NULL CHECK (time_range IN ('24h', '7d', '30d', '90d')),
            total_issues integer NOT NULL DEFAULT 0,
            open_issues integer NOT NULL DEFAULT 0,
            closed_issues integer NOT NULL DEFAULT 0,
            calculated_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL DEFAULT now() + interval '1 hour',
            is_stale boolean NOT NULL DEFAULT false,
            UNIQUE (workspace_id, time_range, period_end)
        );

        -- Columns of the contract that an older production table might lack.
        ALTER TABLE workspace_tracked_repositories
            ADD COLUMN IF NOT EXISTS last_sync_status text,
            ADD COLUMN IF NOT EXISTS last_sync_error text,
            ADD COLUMN IF NOT EXISTS sync_attempts integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS total_issues_fetched integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS priority_score integer NOT NULL DEFAULT 50,
            ADD COLUMN IF NOT EXISTS fetch_issues boolean NOT NULL DEFAULT true;
        ALTER TABLE daily_activity_metrics
            ADD COLUMN IF NOT EXISTS issues_opened integer NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS issues_closed integer NOT NULL DEFAULT 0;
        ALTER TABLE workspace_issues_cache
            ADD COLUMN IF NOT EXISTS is_stale boolean NOT NULL DEFAULT false;
        """)
}
