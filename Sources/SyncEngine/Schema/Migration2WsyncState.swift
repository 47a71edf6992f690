import Postgres

extension Migration {
    /// wsync's own state: leases and incremental-sync bookkeeping on each job row, sync-run history, rate-limit
    /// observations, worker liveness, the global pause switch and the audit log. Every column added to a shared
    /// table has a default, because other writers do not know it.
    static let wsyncState = Migration(version: 2, name: "wsync leases, history, rate limits, pause switch, audit log", script: """
        ALTER TABLE workspace_tracked_repositories
            ADD COLUMN IF NOT EXISTS lease_owner text DEFAULT NULL,
            ADD COLUMN IF NOT EXISTS lease_expires_at timestamptz DEFAULT NULL,
            ADD COLUMN IF NOT EXISTS issues_since timestamptz DEFAULT NULL,
            ADD COLUMN IF NOT EXISTS issues_etag text DEFAULT NULL,
            ADD COLUMN IF NOT EXISTS last_attempt_at timestamptz DEFAULT NULL;

        ALTER TABLE issues ADD COLUMN IF NOT EXISTS state_reason text DEFAULT NULL;

        CREATE TABLE IF NOT EXISTS wsync.sync_runs (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            job_id uuid NOT NULL,
            workspace_id uuid NOT NULL,
            repository_id uuid NOT NULL,
            worker_id text NOT NULL,
            trigger text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
            started_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            duration_ms integer,
            api_calls integer NOT NULL DEFAULT 0,
            not_modified integer NOT NULL DEFAULT 0,
            pages integer NOT NULL DEFAULT 0,
            issues_fetched integer NOT NULL DEFAULT 0,
            issues_stored integer NOT NULL DEFAULT 0,
            status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'partial', 'failed')),
            error text
        );

        CREATE TABLE IF NOT EXISTS wsync.rate_limit_observations (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            observed_at timestamptz NOT NULL DEFAULT now(),
            resource text NOT NULL DEFAULT 'core',
            limit_total integer NOT NULL,
            remaining integer NOT NULL,
            used integer NOT NULL,
            reset_at timestamptz NOT NULL,
            source text NOT NULL DEFAULT 'response'
        );

        CREATE TABLE IF NOT EXISTS wsync.workers (
            id text PRIMARY KEY,
            hostname text NOT NULL,
            pid integer NOT NULL,
            concurrency integer NOT NULL DEFAULT 1,
            started_at timestamptz NOT NULL DEFAULT now(),
            heartbeat_at timestamptz NOT NULL DEFAULT now(),
            stopped_at timestamptz
        );

        CREATE TABLE IF NOT EXISTS wsync.pause (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            is_paused boolean NOT NULL DEFAULT false,
            reason text,
            paused_at timestamptz,
            paused_by text,
            action_id bigint
        );
        INSERT INTO wsync.pause (singleton) VALUES (true) ON CONFLICT DO NOTHING;

        CREATE TABLE IF NOT EXISTS wsync.audit_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor text NOT NULL,
            action text NOT NULL,
            parameters jsonb NOT NULL DEFAULT '{}',
            summary text NOT NULL DEFAULT '',
            affected_rows integer NOT NULL DEFAULT 0,
            previous_state jsonb,
            undoable boolean NOT NULL DEFAULT false,
            undone_at timestamptz,
            undone_by text,
            undo_action_id bigint,
            undoes_action_id bigint
        );
        """)
}
