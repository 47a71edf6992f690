import Postgres

/// contributor.info's production tables as `shared/reference/production-schema.md` states them: every column, key,
/// check and trigger that wsync's writes meet, the RLS states, and Supabase's roles and default grants. Written from
/// the facts sheet (not from the app's migrations); Supabase's `auth` schema and pgvector are small stand-ins.
enum ProductionSchema {
    /// Cluster-wide roles of Supabase; created once per cluster, tolerated when they exist.
    static let roles: SQL = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
                CREATE ROLE service_role NOLOGIN BYPASSRLS;
            END IF;
        END $$;
        """

    /// The platform: extensions' stand-ins, the auth schema, the app's users, default privileges in `public`.
    static let platform: SQL = """
        CREATE SCHEMA extensions;
        CREATE FUNCTION extensions.uuid_generate_v4() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';
        CREATE DOMAIN extensions.vector AS real[];
        CREATE SCHEMA auth;
        CREATE TABLE auth.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text);
        -- The request's JWT claims; NULL in a direct session such as wsync's.
        CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $f$
            SELECT (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid $f$;
        CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $f$
            SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' $f$;

        GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;

        CREATE TABLE app_users (
            id uuid PRIMARY KEY DEFAULT extensions.uuid_generate_v4(),
            auth_user_id uuid REFERENCES auth.users(id),
            github_id bigint NOT NULL,
            github_username text NOT NULL,
            email text,
            is_admin boolean DEFAULT false
        );
        """

    /// The tables wsync touches, with the guide era's tier values; `current` then applies today's.
    static let tables: SQL = """
        CREATE TYPE repository_size AS ENUM ('small', 'medium', 'large', 'xl');
        CREATE TYPE repository_priority AS ENUM ('high', 'medium', 'low');

        CREATE TABLE workspaces (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            name text NOT NULL CHECK (char_length(name) BETWEEN 3 AND 100),
            slug text NOT NULL CHECK (slug ~ '^[a-z0-9-]+$' AND char_length(slug) BETWEEN 3 AND 50),
            description text,
            owner_id uuid NOT NULL REFERENCES app_users(id) ON DELETE CASCADE,
            visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private')),
            tier text NOT NULL DEFAULT 'free',
            max_repositories integer NOT NULL DEFAULT 10,
            current_repository_count integer NOT NULL DEFAULT 0,
            data_retention_days integer NOT NULL DEFAULT 30,
            settings jsonb DEFAULT '{"theme": "default", "notifications": {"email": true, "in_app": true}, "dashboard_layout": "grid", "default_time_range": "30d"}',
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            last_activity_at timestamptz DEFAULT now(),
            is_active boolean DEFAULT true,
            action_usage_enabled boolean DEFAULT false,
            CONSTRAINT workspaces_slug_key UNIQUE (slug),
            CONSTRAINT workspaces_tier_check CHECK (tier IN ('free', 'pro', 'private')),
            CONSTRAINT workspace_repo_limit CHECK (current_repository_count <= max_repositories)
        );

        CREATE TABLE workspace_members (
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            user_id uuid NOT NULL,
            role text NOT NULL,
            PRIMARY KEY (workspace_id, user_id)
        );

        CREATE TABLE repositories (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            github_id bigint NOT NULL UNIQUE,
            full_name text NOT NULL UNIQUE CHECK (full_name ~ '^[a-zA-Z0-9-]+/[a-zA-Z0-9._-]+$'),
            owner text NOT NULL CHECK (owner ~ '^[a-zA-Z0-9-]+$' AND char_length(owner) BETWEEN 1 AND 39),
            name text NOT NULL CHECK (name ~ '^[a-zA-Z0-9._-]+$' AND char_length(name) BETWEEN 1 AND 100),
            description text CHECK (char_length(description) <= 1000),
            homepage text CHECK (homepage IS NULL OR homepage ~ '^https?://'),
            language text CHECK (char_length(language) <= 50),
            stargazers_count integer DEFAULT 0 CHECK (stargazers_count >= 0),
            watchers_count integer DEFAULT 0 CHECK (watchers_count >= 0),
            forks_count integer DEFAULT 0 CHECK (forks_count >= 0),
            open_issues_count integer DEFAULT 0 CHECK (open_issues_count >= 0),
            size integer DEFAULT 0 CHECK (size >= 0),
            default_branch text DEFAULT 'main' CHECK (char_length(default_branch) BETWEEN 1 AND 255),
            is_fork boolean DEFAULT false,
            is_archived boolean DEFAULT false,
            is_disabled boolean DEFAULT false,
            is_private boolean DEFAULT false,
            has_issues boolean DEFAULT true,
            has_projects boolean DEFAULT true,
            has_wiki boolean DEFAULT true,
            has_pages boolean DEFAULT false,
            has_downloads boolean DEFAULT true,
            license text CHECK (char_length(license) <= 50),
            topics text[],
            github_created_at timestamptz CHECK (github_created_at IS NULL OR github_created_at <= now()),
            github_updated_at timestamptz CHECK (github_updated_at IS NULL OR github_updated_at <= now()),
            github_pushed_at timestamptz CHECK (github_pushed_at IS NULL OR github_pushed_at <= now()),
            first_tracked_at timestamptz NOT NULL DEFAULT now(),
            last_updated_at timestamptz NOT NULL DEFAULT now(),
            is_active boolean DEFAULT true,
            ai_summary text,
            summary_generated_at timestamptz,
            recent_activity_hash text,
            pr_template_content text,
            pr_template_url text,
            pr_template_hash text,
            pr_template_fetched_at timestamptz,
            embedding extensions.vector,
            pull_request_count integer DEFAULT 0,
            sync_status text DEFAULT 'idle' CHECK (sync_status IN ('idle', 'syncing', 'completed', 'failed', 'partial')),
            last_synced_at timestamptz,
            total_pull_requests integer DEFAULT 0,
            avatar_url text,
            homepage_url text,
            is_template boolean DEFAULT false,
            parent_repository_id uuid REFERENCES repositories(id) DEFERRABLE INITIALLY DEFERRED,
            has_discussions boolean DEFAULT false,
            last_commit_capture_at timestamptz,
            commit_capture_status text NOT NULL DEFAULT 'pending'
                CHECK (commit_capture_status IN ('pending', 'processing', 'completed', 'failed')),
            webhook_priority boolean DEFAULT false,
            webhook_enabled_at timestamptz,
            last_webhook_event_at timestamptz,
            UNIQUE (owner, name),
            CHECK (github_created_at IS NULL OR github_updated_at IS NULL OR github_created_at <= github_updated_at)
        );

        CREATE TABLE tracked_repositories (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            repository_id uuid REFERENCES repositories(id) ON DELETE CASCADE,
            added_by_user_id uuid,
            tracking_enabled boolean DEFAULT true,
            last_sync_at timestamptz CHECK (last_sync_at IS NULL OR last_sync_at <= now()),
            sync_frequency_hours integer DEFAULT 24 CHECK (sync_frequency_hours >= 1),
            include_forks boolean DEFAULT false,
            include_bots boolean DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            size repository_size,
            priority repository_priority DEFAULT 'low',
            metrics jsonb,
            size_calculated_at timestamptz,
            organization_name text,
            repository_name text,
            last_updated_at timestamptz DEFAULT now(),
            is_workspace_repo boolean DEFAULT false,
            workspace_count integer DEFAULT 0,
            CONSTRAINT tracked_repositories_repo_unique UNIQUE (repository_id),
            UNIQUE (organization_name, repository_name)
        );

        CREATE TABLE workspace_repositories (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            added_by uuid REFERENCES app_users(id) ON DELETE SET NULL,
            added_at timestamptz NOT NULL DEFAULT now(),
            notes text,
            tags text[],
            is_pinned boolean DEFAULT false,
            CONSTRAINT unique_workspace_repository UNIQUE (workspace_id, repository_id)
        );

        CREATE TABLE workspace_tracked_repositories (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            tracked_repository_id uuid NOT NULL REFERENCES tracked_repositories(id) ON DELETE CASCADE,
            sync_frequency_hours integer DEFAULT 24 CHECK (sync_frequency_hours BETWEEN 1 AND 168),
            data_retention_days integer DEFAULT 30 CHECK (data_retention_days BETWEEN 7 AND 365),
            fetch_issues boolean DEFAULT true,
            fetch_commits boolean DEFAULT true,
            fetch_reviews boolean DEFAULT true,
            fetch_comments boolean DEFAULT true,
            added_at timestamptz NOT NULL DEFAULT now(),
            added_by uuid NOT NULL,
            last_sync_at timestamptz,
            next_sync_at timestamptz DEFAULT (now() + '24:00:00'::interval),
            last_sync_status text CHECK (last_sync_status IN ('success', 'partial', 'failed')),
            last_sync_error text,
            sync_attempts integer DEFAULT 0,
            total_issues_fetched integer DEFAULT 0,
            total_commits_fetched integer DEFAULT 0,
            total_reviews_fetched integer DEFAULT 0,
            priority_score integer DEFAULT 50 CHECK (priority_score BETWEEN 0 AND 100),
            is_active boolean DEFAULT true,
            notes text,
            CONSTRAINT unique_workspace_tracked_repo UNIQUE (workspace_id, tracked_repository_id)
        );
        CREATE INDEX idx_wtr_next_sync ON workspace_tracked_repositories (next_sync_at)
            WHERE is_active AND next_sync_at IS NOT NULL;
        CREATE INDEX idx_wtr_priority ON workspace_tracked_repositories (priority_score DESC, next_sync_at) WHERE is_active;
        CREATE INDEX idx_wtr_workspace_status ON workspace_tracked_repositories (workspace_id, last_sync_status, next_sync_at)
            WHERE is_active;

        CREATE TABLE contributors (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            github_id bigint NOT NULL UNIQUE,
            username text NOT NULL,
            display_name text CHECK (char_length(display_name) <= 255),
            avatar_url text CHECK (avatar_url IS NULL OR avatar_url ~ '^https?://'),
            profile_url text,
            email text CHECK (email IS NULL OR email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'),
            company text CHECK (char_length(company) <= 255),
            location text CHECK (char_length(location) <= 255),
            bio text CHECK (char_length(bio) <= 1000),
            blog text CHECK (blog IS NULL OR blog ~ '^https?://'),
            public_repos integer DEFAULT 0 CHECK (public_repos >= 0),
            public_gists integer DEFAULT 0 CHECK (public_gists >= 0),
            followers integer DEFAULT 0 CHECK (followers >= 0),
            following integer DEFAULT 0 CHECK (following >= 0),
            github_created_at timestamptz CHECK (github_created_at IS NULL OR github_created_at <= now()),
            first_seen_at timestamptz NOT NULL DEFAULT now(),
            last_updated_at timestamptz NOT NULL DEFAULT now(),
            is_bot boolean DEFAULT false,
            is_active boolean DEFAULT true,
            avatar_cached_at timestamptz,
            avatar_cache_expires_at timestamptz,
            current_topics text[],
            quality_score float8 CHECK (quality_score BETWEEN 0 AND 100),
            engagement_trend text CHECK (engagement_trend IN ('rising_star', 'steady', 'declining', 'new')),
            detected_persona text[],
            last_analytics_update timestamptz,
            CONSTRAINT contributors_username_key UNIQUE (username),
            CONSTRAINT contributors_username_check CHECK (username ~ '^[a-zA-Z0-9-]+$' AND username !~ '^-' AND username !~ '-$'
                                                          AND char_length(username) BETWEEN 1 AND 39)
        );

        CREATE TABLE pull_requests (id uuid PRIMARY KEY DEFAULT extensions.uuid_generate_v4());

        CREATE TABLE issues (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            github_id bigint NOT NULL UNIQUE,
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            number integer NOT NULL,
            title text NOT NULL,
            body text,
            state text CHECK (state IN ('open', 'closed')),
            author_id uuid REFERENCES contributors(id) DEFERRABLE INITIALLY DEFERRED,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            closed_at timestamptz,
            closed_by_id uuid REFERENCES contributors(id) DEFERRABLE INITIALLY DEFERRED,
            labels jsonb DEFAULT '[]',
            assignees jsonb DEFAULT '[]',
            milestone jsonb,
            comments_count integer DEFAULT 0,
            is_pull_request boolean DEFAULT false,
            linked_pr_id uuid REFERENCES pull_requests(id),
            linked_prs jsonb,
            last_synced_at timestamptz DEFAULT now(),
            embedding_generated_at timestamptz,
            content_hash text,
            embedding extensions.vector,
            responded_by uuid REFERENCES auth.users(id) ON DELETE SET NULL,
            responded_at timestamptz,
            linked_prs_synced_at timestamptz,
            CONSTRAINT unique_issue_per_repo UNIQUE (repository_id, number)
        );

        CREATE TABLE daily_activity_metrics (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            repository_id uuid NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
            date date NOT NULL,
            commits_count integer DEFAULT 0 CHECK (commits_count >= 0),
            additions integer DEFAULT 0 CHECK (additions >= 0),
            deletions integer DEFAULT 0 CHECK (deletions >= 0),
            files_changed integer DEFAULT 0 CHECK (files_changed >= 0),
            unique_authors integer DEFAULT 0 CHECK (unique_authors >= 0),
            prs_opened integer DEFAULT 0 CHECK (prs_opened >= 0),
            prs_merged integer DEFAULT 0 CHECK (prs_merged >= 0),
            prs_closed integer DEFAULT 0 CHECK (prs_closed >= 0),
            prs_reviewed integer DEFAULT 0 CHECK (prs_reviewed >= 0),
            avg_pr_merge_time_hours numeric(10,2),
            issues_opened integer DEFAULT 0 CHECK (issues_opened >= 0),
            issues_closed integer DEFAULT 0 CHECK (issues_closed >= 0),
            issues_commented integer DEFAULT 0 CHECK (issues_commented >= 0),
            avg_issue_close_time_hours numeric(10,2),
            active_contributors integer DEFAULT 0 CHECK (active_contributors >= 0),
            new_contributors integer DEFAULT 0 CHECK (new_contributors >= 0),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            data_source text DEFAULT 'github_api' CHECK (data_source IN ('github_api', 'webhook', 'manual', 'calculated')),
            is_complete boolean DEFAULT false,
            CONSTRAINT unique_repo_date UNIQUE (repository_id, date)
        );

        CREATE TABLE workspace_issues_cache (
            id uuid NOT NULL DEFAULT extensions.uuid_generate_v4() PRIMARY KEY,
            workspace_id uuid NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
            period_start timestamptz NOT NULL,
            period_end timestamptz NOT NULL,
            time_range text NOT NULL CHECK (time_range IN ('24h', '7d', '30d', '90d')),
            total_issues integer DEFAULT 0,
            open_issues integer DEFAULT 0,
            closed_issues integer DEFAULT 0,
            avg_time_to_close_hours numeric(10,2),
            median_time_to_close_hours numeric(10,2),
            issues_by_label jsonb DEFAULT '{}',
            issues_by_repository jsonb DEFAULT '{}',
            top_issues jsonb DEFAULT '[]',
            calculated_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL DEFAULT (now() + '01:00:00'::interval),
            is_stale boolean DEFAULT false,
            CONSTRAINT unique_workspace_issues_cache UNIQUE (workspace_id, time_range, period_end)
        );

        CREATE TABLE workspace_activity_logs (
            id uuid PRIMARY KEY DEFAULT extensions.uuid_generate_v4(),
            workspace_id uuid REFERENCES workspaces(id) ON DELETE CASCADE,
            user_id uuid NOT NULL,
            action text NOT NULL,
            entity_type text,
            entity_id uuid,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
        ALTER TABLE repositories ENABLE ROW LEVEL SECURITY;
        ALTER TABLE tracked_repositories ENABLE ROW LEVEL SECURITY;
        ALTER TABLE workspace_repositories ENABLE ROW LEVEL SECURITY;
        ALTER TABLE contributors ENABLE ROW LEVEL SECURITY;
        ALTER TABLE issues ENABLE ROW LEVEL SECURITY;
        CREATE POLICY "Public contributors are viewable by everyone" ON contributors FOR SELECT USING (true);
        CREATE POLICY "Public repositories are viewable" ON repositories FOR SELECT USING (NOT coalesce(is_private, false));
        CREATE POLICY "Tracked repositories are viewable" ON tracked_repositories FOR SELECT USING (true);
        -- Present but inert: RLS is off on the job table.
        CREATE POLICY "Everyone can view tracked repos" ON workspace_tracked_repositories FOR SELECT USING (true);
        """

    /// The triggers that fire on the writes of wsync and of the app around it, in the sheet's words.
    static let triggers: SQL = """
        CREATE FUNCTION update_updated_at_column() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN NEW.updated_at = now(); RETURN NEW; END $f$;
        -- Generic: sets last_updated_at, else last_updated, whichever the table has.
        CREATE FUNCTION update_last_updated_column() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF EXISTS (SELECT 1 FROM information_schema.columns
                       WHERE table_name = TG_TABLE_NAME AND column_name = 'last_updated_at') THEN
                NEW := jsonb_populate_record(NEW, jsonb_build_object('last_updated_at', now()));
            ELSE
                NEW := jsonb_populate_record(NEW, jsonb_build_object('last_updated', now()));
            END IF;
            RETURN NEW;
        END $f$;

        CREATE FUNCTION add_workspace_owner_as_member() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$
        BEGIN
            BEGIN
                INSERT INTO workspace_members (workspace_id, user_id, role) VALUES (NEW.id, NEW.owner_id, 'owner');
            EXCEPTION WHEN OTHERS THEN RAISE WARNING 'could not add owner as member: %', SQLERRM;
            END;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER add_workspace_owner_as_member AFTER INSERT ON workspaces
            FOR EACH ROW EXECUTE FUNCTION add_workspace_owner_as_member();

        CREATE FUNCTION update_tier_limits() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            CASE NEW.tier
                WHEN 'private' THEN NEW.max_repositories := 999; NEW.data_retention_days := 365;
                WHEN 'pro' THEN NEW.max_repositories := 50; NEW.data_retention_days := 90;
                WHEN 'free' THEN NEW.max_repositories := 10; NEW.data_retention_days := 30;
            END CASE;
            IF NEW.current_repository_count > NEW.max_repositories THEN
                RAISE EXCEPTION 'Cannot downgrade tier: workspace has % repositories, limit is %',
                    NEW.current_repository_count, NEW.max_repositories;
            END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER update_tier_limits BEFORE UPDATE OF tier ON workspaces
            FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION update_tier_limits();

        CREATE FUNCTION calculate_workspace_repo_priority(p_workspace_id uuid, p_tracked_repository_id uuid)
        RETURNS integer LANGUAGE plpgsql AS $f$
        DECLARE
            score integer := 50;
            workspace_tier text;
            last_sync timestamptz;
            stars integer;
        BEGIN
            SELECT tier INTO workspace_tier FROM workspaces WHERE id = p_workspace_id;
            CASE workspace_tier
                WHEN 'private' THEN score := score + 30;
                WHEN 'pro' THEN score := score + 20;
                WHEN 'free' THEN score := score + 0;
            END CASE;
            SELECT wtr.last_sync_at, r.stargazers_count INTO last_sync, stars
            FROM workspace_tracked_repositories wtr
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id
            WHERE wtr.workspace_id = p_workspace_id AND wtr.tracked_repository_id = p_tracked_repository_id;
            IF last_sync < now() - interval '7 days' THEN score := score + 20;
            ELSIF last_sync < now() - interval '3 days' THEN score := score + 10; END IF;
            IF stars > 1000 THEN score := score + 10; ELSIF stars > 100 THEN score := score + 5; END IF;
            RETURN greatest(0, least(100, score));
        END $f$;
        CREATE FUNCTION update_priorities_on_tier_change() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            UPDATE workspace_tracked_repositories
            SET priority_score = calculate_workspace_repo_priority(workspace_id, tracked_repository_id)
            WHERE workspace_id = NEW.id;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER update_priorities_on_tier_change AFTER UPDATE OF tier ON workspaces
            FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION update_priorities_on_tier_change();
        CREATE TRIGGER update_workspaces_updated_at BEFORE UPDATE ON workspaces
            FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

        CREATE TRIGGER update_repositories_updated_at BEFORE UPDATE ON repositories
            FOR EACH ROW EXECUTE FUNCTION update_last_updated_column();

        CREATE FUNCTION update_tracked_repository_id() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF NEW.repository_id IS NULL AND NEW.organization_name IS NOT NULL AND NEW.repository_name IS NOT NULL THEN
                SELECT id INTO NEW.repository_id FROM repositories
                WHERE owner = NEW.organization_name AND name = NEW.repository_name;
            ELSIF NEW.repository_id IS NOT NULL AND (NEW.organization_name IS NULL OR NEW.repository_name IS NULL) THEN
                SELECT owner, name INTO NEW.organization_name, NEW.repository_name FROM repositories
                WHERE id = NEW.repository_id;
            END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER trigger_update_tracked_repository_id BEFORE INSERT OR UPDATE ON tracked_repositories
            FOR EACH ROW EXECUTE FUNCTION update_tracked_repository_id();
        CREATE TRIGGER update_tracked_repositories_updated_at BEFORE UPDATE ON tracked_repositories
            FOR EACH ROW EXECUTE FUNCTION update_last_updated_column();

        CREATE FUNCTION maintain_repository_count() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE
            workspace uuid := coalesce(NEW.workspace_id, OLD.workspace_id);
            real_count integer;
            maximum integer;
        BEGIN
            SELECT count(*) INTO real_count FROM workspace_repositories WHERE workspace_id = workspace;
            SELECT max_repositories INTO maximum FROM workspaces WHERE id = workspace;
            IF TG_OP = 'INSERT' AND real_count > maximum THEN
                RAISE EXCEPTION 'Repository limit exceeded: workspace allows % repositories', maximum;
            END IF;
            UPDATE workspaces SET current_repository_count = real_count WHERE id = workspace;
            RETURN NULL;
        END $f$;
        CREATE TRIGGER maintain_repository_count AFTER INSERT OR DELETE ON workspace_repositories
            FOR EACH ROW EXECUTE FUNCTION maintain_repository_count();

        CREATE FUNCTION sync_workspace_tracked_repos() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$
        DECLARE
            tracked uuid;
        BEGIN
            SELECT id INTO tracked FROM tracked_repositories
            WHERE repository_id = coalesce(NEW.repository_id, OLD.repository_id);
            IF TG_OP = 'INSERT' THEN
                IF tracked IS NULL THEN
                    RAISE NOTICE 'repository % is not tracked yet', NEW.repository_id;
                ELSE
                    INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, added_by, fetch_issues,
                        fetch_commits, fetch_reviews, fetch_comments, sync_frequency_hours, priority_score, next_sync_at,
                        is_active)
                    VALUES (NEW.workspace_id, tracked, NEW.added_by, true, true, true, true, 24, 50, now(), true)
                    ON CONFLICT (workspace_id, tracked_repository_id) DO NOTHING;
                END IF;
                RETURN NEW;
            END IF;
            DELETE FROM workspace_tracked_repositories WHERE workspace_id = OLD.workspace_id AND tracked_repository_id = tracked;
            RETURN OLD;
        END $f$;
        CREATE TRIGGER trg_sync_workspace_tracked_repos AFTER INSERT OR DELETE ON workspace_repositories
            FOR EACH ROW EXECUTE FUNCTION sync_workspace_tracked_repos();

        CREATE FUNCTION log_workspace_repository_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$
        BEGIN
            INSERT INTO workspace_activity_logs (workspace_id, user_id, action, entity_type, entity_id)
            VALUES (coalesce(NEW.workspace_id, OLD.workspace_id), auth.uid(),
                    CASE TG_OP WHEN 'INSERT' THEN 'repository_added' ELSE 'repository_removed' END,
                    'repository', coalesce(NEW.repository_id, OLD.repository_id));
            RETURN coalesce(NEW, OLD);
        END $f$;
        CREATE TRIGGER trigger_log_workspace_repository_changes AFTER INSERT OR DELETE ON workspace_repositories
            FOR EACH ROW EXECUTE FUNCTION log_workspace_repository_changes();

        CREATE FUNCTION update_workspace_activity() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            UPDATE workspaces SET last_activity_at = now() WHERE id = coalesce(NEW.workspace_id, OLD.workspace_id);
            RETURN coalesce(NEW, OLD);
        END $f$;
        CREATE TRIGGER update_workspace_activity_on_repo_change AFTER INSERT OR UPDATE OR DELETE ON workspace_repositories
            FOR EACH ROW EXECUTE FUNCTION update_workspace_activity();

        CREATE FUNCTION update_workspace_repo_count() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE workspaces SET current_repository_count = current_repository_count + 1, updated_at = now()
                WHERE id = NEW.workspace_id;
                RETURN NEW;
            END IF;
            UPDATE workspaces SET current_repository_count = greatest(0, current_repository_count - 1), updated_at = now()
            WHERE id = OLD.workspace_id;
            RETURN OLD;
        END $f$;
        CREATE TRIGGER workspace_repo_count_trigger AFTER INSERT OR DELETE ON workspace_repositories
            FOR EACH ROW EXECUTE FUNCTION update_workspace_repo_count();

        CREATE TRIGGER update_contributors_updated_at BEFORE UPDATE ON contributors
            FOR EACH ROW EXECUTE FUNCTION update_last_updated_column();

        CREATE FUNCTION enforce_respond_columns() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$
        BEGIN
            IF auth.uid() IS NULL THEN RETURN NEW; END IF;
            IF NEW.html_url IS DISTINCT FROM OLD.html_url THEN
                RAISE EXCEPTION 'only responded_by and responded_at may be changed';
            END IF;
            RETURN NEW;
        END $f$;
        CREATE TRIGGER enforce_respond_columns_trigger BEFORE UPDATE ON issues
            FOR EACH ROW EXECUTE FUNCTION enforce_respond_columns();

        CREATE TRIGGER update_daily_metrics_updated_at BEFORE UPDATE ON daily_activity_metrics
            FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
        """

    /// Today's production differs from the guide era in its tier values and the repository default.
    static let current: SQL = """
        ALTER TABLE workspaces DROP CONSTRAINT workspaces_tier_check,
            ADD CONSTRAINT workspaces_tier_check CHECK (tier IN ('free', 'pro', 'team')),
            ALTER COLUMN max_repositories SET DEFAULT 4;
        """
}
