import Postgres

/// The SQL of the dashboard's rollup (`wsync.job_rollup`): per tier and shard, the counts of the job and workspace
/// tables that do not depend on the clock. Statement-level triggers add each statement's change to it (the app, its
/// triggers and people in psql write these tables too); migrate fills it and `wsync check` compares it with a full
/// count. Every contribution is read NULL-safe, as `JobRows.nullSafe` reads a row (24 is `JobDefaults.frequencyHours`,
/// literal: this text goes into trigger functions, where nothing can be bound).
enum JobRollupSQL {
    /// Concurrent writers add to different rows (by backend), so they do not wait on one another.
    static let shard: SQL = "(pg_backend_pid() % 8)::smallint"

    /// One job's contribution per rollup column, times `c.sign` (+1 for a row that is there now, -1 for one that was):
    /// the select list over rows `c` with columns `sign`, `tier` and the job table's columns.
    static let jobTerms: SQL = """
        coalesce(sum(c.sign), 0) AS jobs,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE), 0) AS active,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE AND c.last_sync_status = 'success'), 0) AS active_success,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE AND c.last_sync_status = 'failed'), 0) AS active_failed,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE AND c.last_sync_status = 'partial'), 0) AS active_partial,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE AND c.last_sync_at IS NULL), 0) AS active_never_synced,
        coalesce(sum(c.sign) FILTER (WHERE c.is_active IS TRUE AND c.last_sync_at IS NOT NULL), 0) AS active_synced,
        coalesce(sum(c.sign * EXTRACT(EPOCH FROM c.last_sync_at)) FILTER (WHERE c.is_active IS TRUE), 0) AS active_last_sync_epoch,
        coalesce(sum(c.sign * coalesce(c.total_issues_fetched, 0)), 0) AS issues,
        coalesce(sum(c.sign * (24.0 / nullif(coalesce(c.sync_frequency_hours, 24), 0) * 30))
                 FILTER (WHERE c.is_active IS TRUE), 0) AS active_monthly_syncs
        """
    /// Every column of the job table that `jobTerms`, `signedJobs` (the workspace, for its tier) and the clock's
    /// counts (`JobClockCountsSQL.contributions`) read: a statement that changes none of them changes no sum.
    static let countedColumns: SQL = """
        workspace_id, is_active, last_sync_status, last_sync_at, next_sync_at, sync_frequency_hours, total_issues_fetched
        """

    static let jobColumns: SQL = """
        jobs, active, active_success, active_failed, active_partial, active_never_synced, active_synced,
        active_last_sync_epoch, issues, active_monthly_syncs
        """

    /// A workspace's contribution: itself and the repositories its tier allows.
    static let workspaceTerms: SQL = """
        coalesce(sum(c.sign), 0) AS workspaces,
        coalesce(sum(c.sign * coalesce(c.max_repositories, 0)), 0) AS repositories_allowed
        """
    static let workspaceColumns: SQL = "workspaces, repositories_allowed"

    /// Signed job rows from `jobs` (a transition table or the table itself), each with its workspace's tier ('' for a
    /// job whose workspace is not there).
    static func signedJobs(_ jobs: SQL, sign: SQL) -> SQL {
        """
        SELECT \(sign) AS sign, coalesce(w.tier, '') AS tier, j.*
        FROM \(jobs) j LEFT JOIN workspaces w ON w.id = j.workspace_id
        """
    }

    static func signedWorkspaces(_ workspaces: SQL, sign: SQL) -> SQL {
        "SELECT \(sign) AS sign, coalesce(c.tier, '') AS tier, c.max_repositories FROM \(workspaces) c"
    }

    /// Adds the sums of `terms` over `signed` rows to this backend's shard; a statement that changed nothing counted
    /// (a lease, a heartbeat, a priority) writes nothing. Tiers in order, so two writers never deadlock.
    private static func add(_ signed: SQL, terms: SQL, columns: SQL, zero: SQL, increments: SQL) -> SQL {
        """
        INSERT INTO wsync.job_rollup AS r (tier, shard, \(columns))
        SELECT d.* FROM (
            SELECT c.tier, \(shard), \(terms) FROM (\(signed)) c GROUP BY c.tier ORDER BY c.tier
        ) d
        WHERE ROW(\(columns)) IS DISTINCT FROM ROW(\(zero))
        ON CONFLICT (tier, shard) DO UPDATE SET \(increments)
        """
    }

    static func addJobs(_ signed: SQL) -> SQL {
        add(signed, terms: jobTerms, columns: jobColumns, zero: "0, 0, 0, 0, 0, 0, 0, 0, 0, 0", increments: """
            jobs = r.jobs + EXCLUDED.jobs, active = r.active + EXCLUDED.active,
            active_success = r.active_success + EXCLUDED.active_success,
            active_failed = r.active_failed + EXCLUDED.active_failed,
            active_partial = r.active_partial + EXCLUDED.active_partial,
            active_never_synced = r.active_never_synced + EXCLUDED.active_never_synced,
            active_synced = r.active_synced + EXCLUDED.active_synced,
            active_last_sync_epoch = r.active_last_sync_epoch + EXCLUDED.active_last_sync_epoch,
            issues = r.issues + EXCLUDED.issues, active_monthly_syncs = r.active_monthly_syncs + EXCLUDED.active_monthly_syncs
            """)
    }

    static func addWorkspaces(_ signed: SQL) -> SQL {
        add(signed, terms: workspaceTerms, columns: workspaceColumns, zero: "0, 0", increments: """
            workspaces = r.workspaces + EXCLUDED.workspaces,
            repositories_allowed = r.repositories_allowed + EXCLUDED.repositories_allowed
            """)
    }

    /// The statement-level trigger function over the job table's transition tables: the rollup's sums and, from
    /// migration 14, the counts kept by the clock (`JobClockCountsSQL`), in one call.
    static func jobsChangedFunction(alsoClockCounts: Bool) -> SQL {
        let both = { (rollup: SQL, signed: SQL) -> SQL in
            alsoClockCounts ? "\(rollup);\n\(JobClockCountsSQL.add(signed))" : rollup
        }
        return Migration.changedFunction("wsync.job_rollup_jobs_changed",
            inserted: both(addJobs(signedJobs("new_jobs", sign: "1")), "SELECT 1 AS sign, * FROM new_jobs"),
            deleted: both(addJobs(signedJobs("old_jobs", sign: "-1")), "SELECT -1 AS sign, * FROM old_jobs"),
            updated: """
                -- Most updates of the job table count nothing (a lease taken, extended or given back, a page's
                -- high-water mark): when the rows hold the same counted values as before, nothing is summed at all.
                IF EXISTS (SELECT \(countedColumns) FROM new_jobs EXCEPT ALL SELECT \(countedColumns) FROM old_jobs) THEN
                    \(both(addJobs(signedJobs("(SELECT 1 AS s, * FROM new_jobs UNION ALL SELECT -1, * FROM old_jobs)", sign: "j.s")),
                           "SELECT 1 AS sign, * FROM new_jobs UNION ALL SELECT -1, * FROM old_jobs"));
                END IF
                """)
    }

    /// A truncated table leaves every sum it fed at zero.
    static func truncatedFunction(alsoClockCounts: Bool) -> SQL {
        let clock: SQL = alsoClockCounts ? "DELETE FROM wsync.job_clock_counts;" : ""
        return """
            CREATE OR REPLACE FUNCTION wsync.job_rollup_truncated() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
            BEGIN
                IF TG_TABLE_NAME = 'workspaces' THEN
                    UPDATE wsync.job_rollup SET workspaces = 0, repositories_allowed = 0;
                ELSE
                    UPDATE wsync.job_rollup SET jobs = 0, active = 0, active_success = 0, active_failed = 0, active_partial = 0,
                        active_never_synced = 0, active_synced = 0, active_last_sync_epoch = 0, issues = 0, active_monthly_syncs = 0;
                    \(clock)
                END IF;
                RETURN NULL;
            END $fn$;
            """
    }

    /// The rollup built from scratch out of the tables (migrate; check's repair), under a lock that lets no writer
    /// change them meanwhile (and waits for those in flight).
    static let rebuild: SQL = """
        LOCK TABLE workspaces, workspace_tracked_repositories IN SHARE MODE;
        DELETE FROM wsync.job_rollup;
        \(addJobs(signedJobs("workspace_tracked_repositories", sign: "1")));
        \(addWorkspaces(signedWorkspaces("workspaces", sign: "1")));
        """

    /// Per tier: the rollup's sums beside a full count of the tables, for the tiers where they differ.
    static let drift: SQL = """
        WITH rolled AS (
            SELECT tier, sum(workspaces) AS workspaces, sum(repositories_allowed) AS repositories_allowed,
                   sum(jobs) AS jobs, sum(active) AS active, sum(active_success) AS active_success,
                   sum(active_failed) AS active_failed, sum(active_partial) AS active_partial,
                   sum(active_never_synced) AS active_never_synced, sum(active_synced) AS active_synced,
                   sum(active_last_sync_epoch) AS active_last_sync_epoch, sum(issues) AS issues,
                   sum(active_monthly_syncs) AS active_monthly_syncs
            FROM wsync.job_rollup GROUP BY tier
        ), counted AS (
            SELECT coalesce(j.tier, w.tier) AS tier, coalesce(w.workspaces, 0) AS workspaces,
                   coalesce(w.repositories_allowed, 0) AS repositories_allowed, coalesce(j.jobs, 0) AS jobs,
                   coalesce(j.active, 0) AS active, coalesce(j.active_success, 0) AS active_success,
                   coalesce(j.active_failed, 0) AS active_failed, coalesce(j.active_partial, 0) AS active_partial,
                   coalesce(j.active_never_synced, 0) AS active_never_synced, coalesce(j.active_synced, 0) AS active_synced,
                   coalesce(j.active_last_sync_epoch, 0) AS active_last_sync_epoch, coalesce(j.issues, 0) AS issues,
                   coalesce(j.active_monthly_syncs, 0) AS active_monthly_syncs
            FROM (SELECT c.tier, \(jobTerms) FROM (\(signedJobs("workspace_tracked_repositories", sign: "1"))) c GROUP BY c.tier) j
            FULL JOIN (SELECT c.tier, \(workspaceTerms) FROM (\(signedWorkspaces("workspaces", sign: "1"))) c GROUP BY c.tier) w
                 ON w.tier = j.tier
        )
        SELECT coalesce(c.tier, r.tier) AS tier, coalesce(to_jsonb(r) - 'tier', '{}') AS rollup,
               coalesce(to_jsonb(c) - 'tier', '{}') AS counted
        FROM rolled r FULL JOIN counted c ON c.tier = r.tier
        WHERE (to_jsonb(r) - 'tier') IS DISTINCT FROM (to_jsonb(c) - 'tier')
          -- A tier the rollup keeps at zero and the tables no longer hold is no drift.
          AND NOT (c.tier IS NULL AND NOT EXISTS (
              SELECT 1 FROM jsonb_each(to_jsonb(r) - 'tier') e WHERE e.value::text::numeric <> 0))
        ORDER BY 1
        """
}
