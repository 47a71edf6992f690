import Postgres

extension Migration {
    /// What lets a dashboard refresh stay cheap however many jobs there are: the rollup of clock-independent counts
    /// (`JobRollupSQL`) with its triggers, 5-minute buckets of runs kept by a trigger on the run history, and narrow
    /// indexes for the counts that depend on the clock and for the stuck pane's order.
    ///
    /// The trigger functions are SECURITY DEFINER: the app writes the job table as roles that may not touch schema
    /// wsync, and its writes must still count (and must not fail).
    static let dashboardRollup = Migration(version: 7, name: "dashboard rollup, run buckets and indexes for the refresh", script: """
        CREATE TABLE IF NOT EXISTS wsync.job_rollup (
            tier text NOT NULL,
            shard smallint NOT NULL,
            workspaces bigint NOT NULL DEFAULT 0,
            repositories_allowed bigint NOT NULL DEFAULT 0,
            jobs bigint NOT NULL DEFAULT 0,
            active bigint NOT NULL DEFAULT 0,
            active_success bigint NOT NULL DEFAULT 0,
            active_failed bigint NOT NULL DEFAULT 0,
            active_partial bigint NOT NULL DEFAULT 0,
            active_never_synced bigint NOT NULL DEFAULT 0,
            active_synced bigint NOT NULL DEFAULT 0,
            active_last_sync_epoch numeric NOT NULL DEFAULT 0,
            issues numeric NOT NULL DEFAULT 0,
            active_monthly_syncs numeric NOT NULL DEFAULT 0,
            PRIMARY KEY (tier, shard)
        );

        \(JobRollupSQL.jobsChangedFunction(alsoClockCounts: false))

        \(changedFunction("wsync.job_rollup_workspaces_changed",
            inserted: JobRollupSQL.addWorkspaces(JobRollupSQL.signedWorkspaces("new_workspaces", sign: "1")),
            deleted: JobRollupSQL.addWorkspaces(JobRollupSQL.signedWorkspaces("old_workspaces", sign: "-1")),
            updated: JobRollupSQL.addWorkspaces(JobRollupSQL.signedWorkspaces("(SELECT 1 AS sign, * FROM new_workspaces UNION ALL SELECT -1, * FROM old_workspaces)", sign: "c.sign"))))

        -- A workspace that changes tier takes its jobs along, and one that is deleted leaves them without a tier
        -- (its cascade then removes them from there). Per row and before the change, so that job writes of the same
        -- statement (production's priority trigger) already find the jobs where the workspace's tier is; rare writes.
        CREATE OR REPLACE FUNCTION wsync.job_rollup_workspace_moves() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
        DECLARE
            to_tier text := CASE WHEN TG_OP = 'DELETE' THEN '' ELSE coalesce(NEW.tier, '') END;
        BEGIN
            \(JobRollupSQL.addJobs("""
                SELECT m.sign, m.tier, j.* FROM workspace_tracked_repositories j,
                       (VALUES (-1, coalesce(OLD.tier, '')), (1, to_tier)) AS m(sign, tier)
                WHERE j.workspace_id = OLD.id
                """));
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $fn$;

        \(JobRollupSQL.truncatedFunction(alsoClockCounts: false))

        DROP TRIGGER IF EXISTS wsync_job_rollup_insert ON workspace_tracked_repositories;
        DROP TRIGGER IF EXISTS wsync_job_rollup_update ON workspace_tracked_repositories;
        DROP TRIGGER IF EXISTS wsync_job_rollup_delete ON workspace_tracked_repositories;
        DROP TRIGGER IF EXISTS wsync_job_rollup_truncate ON workspace_tracked_repositories;
        CREATE TRIGGER wsync_job_rollup_insert AFTER INSERT ON workspace_tracked_repositories
            REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_jobs_changed();
        CREATE TRIGGER wsync_job_rollup_update AFTER UPDATE ON workspace_tracked_repositories
            REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_jobs_changed();
        CREATE TRIGGER wsync_job_rollup_delete AFTER DELETE ON workspace_tracked_repositories
            REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_jobs_changed();
        CREATE TRIGGER wsync_job_rollup_truncate AFTER TRUNCATE ON workspace_tracked_repositories
            FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_truncated();

        DROP TRIGGER IF EXISTS wsync_job_rollup_insert ON workspaces;
        DROP TRIGGER IF EXISTS wsync_job_rollup_update ON workspaces;
        DROP TRIGGER IF EXISTS wsync_job_rollup_delete ON workspaces;
        DROP TRIGGER IF EXISTS wsync_job_rollup_truncate ON workspaces;
        DROP TRIGGER IF EXISTS wsync_job_rollup_tier_move ON workspaces;
        DROP TRIGGER IF EXISTS wsync_job_rollup_delete_move ON workspaces;
        CREATE TRIGGER wsync_job_rollup_insert AFTER INSERT ON workspaces
            REFERENCING NEW TABLE AS new_workspaces FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_workspaces_changed();
        CREATE TRIGGER wsync_job_rollup_update AFTER UPDATE ON workspaces
            REFERENCING OLD TABLE AS old_workspaces NEW TABLE AS new_workspaces FOR EACH STATEMENT
            EXECUTE FUNCTION wsync.job_rollup_workspaces_changed();
        CREATE TRIGGER wsync_job_rollup_delete AFTER DELETE ON workspaces
            REFERENCING OLD TABLE AS old_workspaces FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_workspaces_changed();
        CREATE TRIGGER wsync_job_rollup_truncate AFTER TRUNCATE ON workspaces
            FOR EACH STATEMENT EXECUTE FUNCTION wsync.job_rollup_truncated();
        -- Named to fire after production's BEFORE triggers (name order), so it sees the tier that will be stored.
        CREATE TRIGGER wsync_job_rollup_tier_move BEFORE UPDATE OF tier ON workspaces
            FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier) EXECUTE FUNCTION wsync.job_rollup_workspace_moves();
        CREATE TRIGGER wsync_job_rollup_delete_move BEFORE DELETE ON workspaces
            FOR EACH ROW EXECUTE FUNCTION wsync.job_rollup_workspace_moves();

        -- Runs per 5-minute bucket of their start, for the last hour's counts and sparkline. Kept by a trigger on the
        -- run history, so every writer of it counts; only runs that started in the last two hours are counted
        -- (older buckets are never read), and cleanup prunes the rest.
        CREATE TABLE IF NOT EXISTS wsync.sync_run_buckets (
            bucket_start timestamptz NOT NULL,
            shard smallint NOT NULL,
            runs bigint NOT NULL DEFAULT 0,
            failed_runs bigint NOT NULL DEFAULT 0,
            issues bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (bucket_start, shard)
        );

        \(SyncRunBucketSQL.changedFunction(kept: SyncRunBucketSQL.keptByMigration7))

        DROP TRIGGER IF EXISTS wsync_sync_run_buckets_insert ON wsync.sync_runs;
        DROP TRIGGER IF EXISTS wsync_sync_run_buckets_update ON wsync.sync_runs;
        DROP TRIGGER IF EXISTS wsync_sync_run_buckets_delete ON wsync.sync_runs;
        CREATE TRIGGER wsync_sync_run_buckets_insert AFTER INSERT ON wsync.sync_runs
            REFERENCING NEW TABLE AS new_runs FOR EACH STATEMENT EXECUTE FUNCTION wsync.sync_run_buckets_changed();
        CREATE TRIGGER wsync_sync_run_buckets_update AFTER UPDATE ON wsync.sync_runs
            REFERENCING OLD TABLE AS old_runs NEW TABLE AS new_runs FOR EACH STATEMENT
            EXECUTE FUNCTION wsync.sync_run_buckets_changed();
        CREATE TRIGGER wsync_sync_run_buckets_delete AFTER DELETE ON wsync.sync_runs
            REFERENCING OLD TABLE AS old_runs FOR EACH STATEMENT EXECUTE FUNCTION wsync.sync_run_buckets_changed();

        -- The hour's runs older than its first bucket, counted from the index alone.
        CREATE INDEX IF NOT EXISTS wsync_sync_runs_started_counts_idx
            ON wsync.sync_runs (started_at) INCLUDE (status, issues_stored);
        -- The stuck pane walks overdue jobs in this order and stops at its limit.
        CREATE INDEX IF NOT EXISTS wsync_wtr_overdue_order_idx
            ON workspace_tracked_repositories (next_sync_at, id) WHERE is_active;
        -- Freshness as an index-only count: until when each successful active job stays fresh (UTC, immutable).
        CREATE INDEX IF NOT EXISTS wsync_wtr_fresh_until_idx
            ON workspace_tracked_repositories (\(JobFreshness.freshUntil))
            INCLUDE (last_sync_at, sync_frequency_hours) WHERE is_active AND last_sync_status = 'success';

        REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM PUBLIC;
        REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM PUBLIC;
        \(Migration.forAPIRoles("ARRAY['REVOKE ALL ON ALL TABLES IN SCHEMA wsync FROM %I', 'REVOKE ALL ON ALL FUNCTIONS IN SCHEMA wsync FROM %I']"))

        \(JobRollupSQL.rebuild)
        \(SyncRunBucketSQL.rebuild(kept: SyncRunBucketSQL.keptByMigration7))
        """)

    /// A statement-level trigger function that runs one statement per kind of change, over its transition tables.
    static func changedFunction(_ name: SQL, inserted: SQL, deleted: SQL, updated: SQL) -> SQL {
        """
        CREATE OR REPLACE FUNCTION \(name)() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                \(inserted);
            ELSIF TG_OP = 'DELETE' THEN
                \(deleted);
            ELSE
                \(updated);
            END IF;
            RETURN NULL;
        END $fn$;
        """
    }
}
