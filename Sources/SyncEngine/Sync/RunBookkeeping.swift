import Foundation
import Postgres

/// The writes around a run: its history row, the job row at the end, derived data, all fenced by the lease owner.
enum RunBookkeeping {
    /// Opens the history row (status `running`, so dashboards see what is syncing now).
    static func start(_ connection: Connection, job: SyncJob, worker: String, trigger: String) throws -> Int64 {
        try connection.query("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, trigger)
            VALUES (\(job.id), \(job.workspaceID), \(job.repositoryID), \(worker), \(trigger))
            RETURNING id
            """).first!.decode("id")
    }

    /// Ends the run in one transaction: job row (fenced), history row, daily metrics and the workspace cache.
    static func finish(
        _ connection: Connection, runID: Int64, job: SyncJob, owner: String, outcome: RunOutcome,
        counters: RunCounters, backoff: FailureBackoff, gone: GonePolicy
    ) throws {
        let catalog = try SchemaCatalog.of(connection)
        try connection.transaction { c in
            let updated = try updateJob(c, job: job, owner: owner, outcome: outcome, counters: counters, backoff: backoff)
            if updated, case .gone = outcome { _ = try GoneRepositories.deactivateIfGone(c, job: job, policy: gone, actor: owner) }
            try endRun(c, runID: runID, outcome: updated ? outcome : RunOutcome.leaseLost, counters: counters, keepEnded: !updated)
            if updated, counters.stored > 0 {
                try refreshDailyMetrics(c, job: job)
                try refreshWorkspaceCache(c, workspaceID: job.workspaceID, catalog: catalog)
            }
        }
    }

    /// The job row's ending alone, for a run whose history row could not be opened (fenced like `finish`).
    static func endJob(
        _ connection: Connection, job: SyncJob, owner: String, outcome: RunOutcome, counters: RunCounters, backoff: FailureBackoff
    ) throws {
        try connection.transaction { c in
            _ = try updateJob(c, job: job, owner: owner, outcome: outcome, counters: counters, backoff: backoff)
        }
    }

    /// When `finish` (or the run's start) failed: each step on its own, so a step that fails again does not take the
    /// others with it — the job ends `failed` with the error (attempts, backoff) and released, else at least
    /// released; the history row ends `failed`.
    static func endFailed(
        _ c: Connection, runID: Int64?, job: SyncJob, owner: String, outcome: RunOutcome, counters: RunCounters,
        backoff: FailureBackoff
    ) {
        let ended = (try? c.transaction { try updateJob($0, job: job, owner: owner, outcome: outcome, counters: counters, backoff: backoff) }) != nil
        if !ended {
            _ = try? c.execute("""
                UPDATE workspace_tracked_repositories SET lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """)
        }
        if let runID { _ = try? endRun(c, runID: runID, outcome: outcome, counters: counters, keepEnded: !ended) }
    }

    /// Writes the run's counters and its ending. With `keepEnded` (the holder no longer had the job), a run already
    /// ended keeps its status: one another worker marked `aborted` when it took the job over (this holder's late
    /// ending adds what the run spent), or this very ending committed once already (the reply was lost, and the retry
    /// finds the job released and would otherwise call it aborted). A holder that still had the job says how the run
    /// ended even over an `aborted` written while its heartbeat was late.
    private static func endRun(_ c: Connection, runID: Int64, outcome: RunOutcome, counters: RunCounters, keepEnded: Bool) throws {
        let overwrite = !keepEnded
        try c.execute("""
            UPDATE wsync.sync_runs
            SET finished_at = CASE WHEN status = 'running' OR \(overwrite) THEN now() ELSE finished_at END,
                duration_ms = CASE WHEN status = 'running' OR \(overwrite) THEN (extract(epoch FROM now() - started_at) * 1000)::integer
                                   ELSE duration_ms END,
                api_calls = \(counters.apiCalls), not_modified = \(counters.notModified), pages = \(counters.pages),
                issues_fetched = \(counters.fetched), issues_stored = \(counters.stored),
                authors_skipped = \(counters.skippedAuthors), issues_skipped = \(counters.skippedIssues),
                nul_characters_replaced = \(counters.nulCharactersReplaced),
                error = CASE WHEN status = 'running' OR \(overwrite) THEN \(outcome.error) ELSE error END,
                status = CASE WHEN status = 'running' OR \(overwrite) THEN \(outcome.status) ELSE status END
            WHERE id = \(runID)
            """)
    }

    /// Returns false when the lease was lost (nothing written).
    private static func updateJob(
        _ c: Connection, job: SyncJob, owner: String, outcome: RunOutcome, counters: RunCounters, backoff: FailureBackoff
    ) throws -> Bool {
        let fetched = counters.fetched
        switch outcome {
        case .success(let listing):
            // The listing mark is stored as one triple (since, ETag, its token): the ETag is valid for nothing else.
            return try c.execute("""
                UPDATE workspace_tracked_repositories
                SET last_sync_at = now(), last_sync_status = 'success', last_sync_error = NULL, sync_attempts = 0,
                    total_issues_fetched = coalesce(total_issues_fetched, 0) + \(fetched),
                    next_sync_at = now() + make_interval(hours => coalesce(sync_frequency_hours, \(JobDefaults.frequencyHours))),
                    issues_since = coalesce(\(listing?.since)::timestamptz, issues_since),
                    issues_etag = CASE WHEN \(listing?.since)::timestamptz IS NULL THEN issues_etag ELSE \(listing?.etag)::text END,
                    issues_etag_token = CASE WHEN \(listing?.since)::timestamptz IS NULL THEN issues_etag_token
                                             ELSE \(listing?.etagToken)::text END,
                    gone_count = 0, gone_since = NULL,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """) == 1
        case .partial(let reason, let resumeAt):
            return try c.execute("""
                UPDATE workspace_tracked_repositories
                SET last_sync_at = now(), last_sync_status = 'partial', last_sync_error = \(reason),
                    total_issues_fetched = coalesce(total_issues_fetched, 0) + \(fetched), next_sync_at = \(resumeAt),
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """) == 1
        case .failed(let error), .unavailable(let error), .gone(let error):
            let isGone = if case .gone = outcome { true } else { false }
            let delay = if case .unavailable = outcome { backoff.unavailableDelay } else { backoff.delay }
            return try c.execute("""
                UPDATE workspace_tracked_repositories
                SET last_sync_at = now(), last_sync_status = 'failed', last_sync_error = \(error),
                    sync_attempts = coalesce(sync_attempts, 0) + 1,
                    total_issues_fetched = coalesce(total_issues_fetched, 0) + \(fetched),
                    next_sync_at = now() + \(delay),
                    gone_count = CASE WHEN \(isGone) THEN gone_count + 1 ELSE gone_count END,
                    gone_since = CASE WHEN \(isGone) THEN coalesce(gone_since, now()) ELSE gone_since END,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """) == 1
        case .throttled(let reason, let retryAfter):
            // Counted as an attempt, so the wait doubles run after run (up to the cap, never below what GitHub asked).
            return try c.execute("""
                UPDATE workspace_tracked_repositories
                SET last_sync_at = now(), last_sync_status = 'partial', last_sync_error = \(reason),
                    sync_attempts = coalesce(sync_attempts, 0) + 1,
                    total_issues_fetched = coalesce(total_issues_fetched, 0) + \(fetched),
                    next_sync_at = now() + make_interval(secs => greatest(\(retryAfter),
                        least(\(backoff.cap.seconds), \(retryAfter) * power(2, least(coalesce(sync_attempts, 0), 30)))
                        * (1 + random() * 0.25))),
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """) == 1
        case .badCredentials:
            // Not the job's fault: release it as it was.
            return try c.execute("""
                UPDATE workspace_tracked_repositories SET lease_owner = NULL, lease_expires_at = NULL
                WHERE id = \(job.id) AND lease_owner = \(owner)
                """) == 1
        case .leaseLost:
            return false
        }
    }

    /// Issues opened and closed per UTC day over the job's retention window, counted from the stored issues
    /// (pull requests excluded); days that no longer have activity (a reopened issue) drop to zero.
    static func refreshDailyMetrics(_ c: Connection, job: SyncJob) throws {
        let from = CalendarDay(Date().addingTimeInterval(-Double(job.dataRetentionDays) * 86_400))
        try c.execute("""
            WITH activity AS (
                SELECT created_at::date AS day, 1 AS opened, 0 AS closed FROM issues
                WHERE repository_id = \(job.repositoryID) AND is_pull_request IS NOT TRUE AND created_at >= \(from)::date
                UNION ALL
                SELECT closed_at::date, 0, 1 FROM issues
                WHERE repository_id = \(job.repositoryID) AND is_pull_request IS NOT TRUE AND closed_at >= \(from)::date
            ),
            counted AS (SELECT day, sum(opened)::integer AS opened, sum(closed)::integer AS closed FROM activity GROUP BY day),
            existing AS (
                SELECT date AS day FROM daily_activity_metrics
                WHERE repository_id = \(job.repositoryID) AND date >= \(from)::date
            )
            INSERT INTO daily_activity_metrics (repository_id, date, issues_opened, issues_closed)
            SELECT \(job.repositoryID), coalesce(counted.day, existing.day), coalesce(counted.opened, 0), coalesce(counted.closed, 0)
            FROM counted FULL JOIN existing ON existing.day = counted.day
            ON CONFLICT (repository_id, date) DO UPDATE
            SET issues_opened = EXCLUDED.issues_opened, issues_closed = EXCLUDED.issues_closed, updated_at = now()
            WHERE (daily_activity_metrics.issues_opened, daily_activity_metrics.issues_closed)
                  IS DISTINCT FROM (EXCLUDED.issues_opened, EXCLUDED.issues_closed)
            """)
    }

    /// The workspace's issue totals per time range over its active tracked repositories, valid for an hour: one row
    /// per workspace, range and hour (`period_end` is the hour they were computed in), refreshed in place during
    /// that hour — production's cache key is (workspace_id, time_range, period_end). An older install keyed on
    /// (workspace_id, time_range) keeps one row per range.
    static func refreshWorkspaceCache(_ c: Connection, workspaceID: UUID, catalog: SchemaCatalog) throws {
        let key: SQL
        if catalog.hasUniqueKey("workspace_issues_cache", on: ["workspace_id", "time_range", "period_end"]) {
            key = "(workspace_id, time_range, period_end)"
        } else if catalog.hasUniqueKey("workspace_issues_cache", on: ["workspace_id", "time_range"]) {
            key = "(workspace_id, time_range)"
        } else {
            throw WSyncError.databaseNotMigrated("workspace_issues_cache has no unique key on (workspace_id, time_range, period_end)")
        }
        try c.execute("""
            WITH ranges(time_range, span) AS (
                VALUES ('24h', interval '24 hours'), ('7d', interval '7 days'), ('30d', interval '30 days'),
                       ('90d', interval '90 days')
            ),
            workspace_issues AS (
                SELECT DISTINCT i.id, i.state, i.created_at, i.updated_at, i.closed_at
                FROM workspace_tracked_repositories wtr
                JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                JOIN issues i ON i.repository_id = tr.repository_id AND i.is_pull_request IS NOT TRUE
                WHERE wtr.workspace_id = \(workspaceID) AND wtr.is_active AND i.updated_at >= now() - interval '90 days'
            )
            INSERT INTO workspace_issues_cache (workspace_id, period_start, period_end, time_range, total_issues,
                                                open_issues, closed_issues, calculated_at, expires_at, is_stale)
            SELECT \(workspaceID), date_trunc('hour', now()) - r.span, date_trunc('hour', now()), r.time_range,
                   count(i.id),
                   count(i.id) FILTER (WHERE i.state = 'open'),
                   count(i.id) FILTER (WHERE i.closed_at >= now() - r.span),
                   now(), now() + interval '1 hour', false
            FROM ranges r LEFT JOIN workspace_issues i ON i.updated_at >= now() - r.span
            GROUP BY r.time_range, r.span
            ON CONFLICT \(key) DO UPDATE
            SET period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
                total_issues = EXCLUDED.total_issues, open_issues = EXCLUDED.open_issues,
                closed_issues = EXCLUDED.closed_issues, calculated_at = EXCLUDED.calculated_at,
                expires_at = EXCLUDED.expires_at, is_stale = false
            """)
    }
}
