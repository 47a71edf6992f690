import Foundation
import Postgres

/// Who may write to a job row: a worker process or a manual sync, registered in `wsync.workers` with a heartbeat.
/// A lease is free when it has expired OR its holder stopped heartbeating (a SIGKILLed worker frees its jobs as soon
/// as it is seen dead, not only when its lease runs out).
public struct LeaseSettings: Sendable {
    /// How long a claim holds without renewal.
    public var lease: Duration
    /// How often the holder renews its leases and its liveness.
    public var heartbeat: Duration
    /// A holder whose heartbeat is older than this is dead and its leases are free.
    public var deadAfter: Duration

    public init(lease: Duration = .seconds(120), heartbeat: Duration = .seconds(5), deadAfter: Duration = .seconds(30)) {
        self.lease = lease
        self.heartbeat = heartbeat
        self.deadAfter = deadAfter
    }
}

public enum JobLeases {
    /// Rows whose lease can be taken (alias wtr); `$deadAfter` seconds decide liveness of the holder.
    private static func leaseIsFree(deadAfter: Duration) -> SQL {
        """
        (wtr.lease_owner IS NULL OR wtr.lease_expires_at < now()
         OR NOT EXISTS (SELECT 1 FROM wsync.workers w WHERE w.id = wtr.lease_owner AND w.stopped_at IS NULL
                        AND w.heartbeat_at > now() - make_interval(secs => \(deadAfter.seconds))))
        """
    }

    /// Rows (alias wtr) holding a lease that is no longer held: expired, or its holder stopped or died. A worker
    /// may take such a row; a reset releases the lease.
    static func staleLease(deadAfter: Duration) -> SQL {
        "(wtr.lease_owner IS NOT NULL AND \(leaseIsFree(deadAfter: deadAfter)))"
    }

    /// Rows of holders that stopped or died are deleted this long after their last heartbeat (README documents it).
    static let pruneAfter: Duration = .seconds(24 * 3600)

    static func register(_ connection: Connection, id: String, concurrency: Int, rateLimitReserve: Int) throws {
        try connection.execute("""
            INSERT INTO wsync.workers (id, hostname, pid, concurrency, version, rate_limit_reserve)
            VALUES (\(id), \(ProcessInfo.processInfo.hostName), \(Int(ProcessInfo.processInfo.processIdentifier)), \(concurrency),
                    \(WSyncVersion.current), \(rateLimitReserve))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """)
    }

    /// Proves liveness and reports progress, extends every lease held, closes history rows left `running` by dead
    /// holders, and prunes the rows of holders gone for longer than `pruneAfter`.
    /// With `inProgress` (a worker's slots' jobs), only those leases are renewed; the holder's other leases, and its
    /// open runs of other jobs, claimed longer than a heartbeat ago (a claim just made may not be reported yet), are
    /// ended.
    static func heartbeat(
        _ connection: Connection, id: String, settings: LeaseSettings, progress: WorkerProgress.Reading, inProgress: [UUID]? = nil
    ) throws {
        try connection.transaction { c in
            try report(c, id: id, progress: progress)
            try c.execute("DELETE FROM wsync.workers WHERE heartbeat_at < now() - make_interval(secs => \(Self.pruneAfter.seconds))")
            try c.execute("""
                UPDATE workspace_tracked_repositories SET lease_expires_at = now() + make_interval(secs => \(settings.lease.seconds))
                WHERE lease_owner = \(id) AND (\(inProgress)::uuid[] IS NULL OR id = ANY(\(inProgress)::uuid[]))
                """)
            if let inProgress {
                let grace = settings.heartbeat.seconds
                try c.execute("""
                    UPDATE wsync.sync_runs run SET status = 'aborted', finished_at = now(),
                        duration_ms = (extract(epoch FROM now() - run.started_at) * 1000)::integer,
                        error = 'aborted: the worker no longer runs it (the database lost the run''s ending); the job was released'
                    WHERE run.status = 'running' AND run.worker_id = \(id) AND NOT (run.job_id = ANY(\(inProgress)::uuid[]))
                      AND run.started_at < now() - make_interval(secs => \(grace))
                    """)
                try c.execute("""
                    UPDATE workspace_tracked_repositories SET lease_owner = NULL, lease_expires_at = NULL
                    WHERE lease_owner = \(id) AND NOT (id = ANY(\(inProgress)::uuid[]))
                      AND (last_attempt_at IS NULL OR last_attempt_at < now() - make_interval(secs => \(grace)))
                    """)
            }
            try c.execute("""
                UPDATE wsync.sync_runs run SET status = 'aborted', finished_at = now(),
                    duration_ms = (extract(epoch FROM now() - run.started_at) * 1000)::integer,
                    error = 'aborted: the worker stopped responding (no heartbeat for ' || \(Int(settings.deadAfter.seconds)) || ' s); the job was released'
                WHERE run.status = 'running' AND run.worker_id <> \(id)
                  AND NOT EXISTS (SELECT 1 FROM wsync.workers w WHERE w.id = run.worker_id AND w.stopped_at IS NULL
                                  AND w.heartbeat_at > now() - make_interval(secs => \(settings.deadAfter.seconds)))
                """)
            try abortOrphans(c, id: id)
        }
    }

    /// This holder's own runs left `running` although it no longer holds their job, or has started a newer run of it:
    /// runs whose ending could not be written (the database went away between the run and its bookkeeping, and the
    /// job was released since) or whose start was recorded without the holder hearing of it. A run in progress always
    /// holds its job's lease, so none of them is still going.
    static func abortOrphans(_ c: Connection, id: String) throws {
        try c.execute("""
            UPDATE wsync.sync_runs run SET status = 'aborted', finished_at = now(),
                duration_ms = (extract(epoch FROM now() - run.started_at) * 1000)::integer,
                error = 'aborted: the run''s ending could not be recorded (the database connection was lost); the job was released'
            WHERE run.status = 'running' AND run.worker_id = \(id)
              AND (NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories wtr WHERE wtr.id = run.job_id AND wtr.lease_owner = \(id))
                   OR EXISTS (SELECT 1 FROM wsync.sync_runs newer WHERE newer.job_id = run.job_id AND newer.worker_id = \(id)
                              AND newer.status = 'running' AND newer.id > run.id))
            """)
    }

    /// Writes the holder's liveness and progress (also at once when a slot takes or ends a job, so busy slots are
    /// never a heartbeat late).
    static func report(_ connection: Connection, id: String, progress: WorkerProgress.Reading) throws {
        try connection.execute("""
            UPDATE wsync.workers SET heartbeat_at = now(), current_jobs = \(progress.currentJobs),
                last_progress_at = now() - make_interval(secs => \(progress.secondsSinceProgress))
            WHERE id = \(id)
            """)
    }

    /// Marks the holder stopped and frees whatever it still holds.
    static func unregister(_ connection: Connection, id: String) throws {
        try connection.transaction { c in
            try c.execute("UPDATE workspace_tracked_repositories SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = \(id)")
            try c.execute("UPDATE wsync.workers SET stopped_at = now(), heartbeat_at = now() WHERE id = \(id)")
        }
    }

    /// Claims up to `limit` due rows, highest priority first, skipping rows other claimers hold locked right now.
    static func claimDue(_ connection: Connection, owner: String, limit: Int, settings: LeaseSettings) throws -> [SyncJob] {
        try claim(connection, owner: owner, settings: settings, filter: """
            wtr.is_active AND coalesce(wtr.fetch_issues, \(JobDefaults.fetchIssues))
            AND (wtr.next_sync_at <= now() OR wtr.next_sync_at IS NULL)
            """, limit: limit)
    }

    /// Claims exactly these rows (a manual sync), skipping any that a live holder has.
    public static func claim(_ connection: Connection, ids: [UUID], owner: String, settings: LeaseSettings) throws -> [SyncJob] {
        try claim(connection, owner: owner, settings: settings, filter: "wtr.id = ANY(\(ids)::uuid[])", limit: ids.count)
    }

    private static func claim(_ connection: Connection, owner: String, settings: LeaseSettings, filter: SQL, limit: Int) throws -> [SyncJob] {
        // Taking over a job ends the previous holder's open run of it as `aborted` in the same statement: that
        // holder is dead or its lease ran out, and whatever it still writes is fenced off by the lease owner.
        try connection.query("""
            WITH due AS (
                SELECT wtr.id, wtr.lease_owner AS previous_owner,
                       CASE WHEN wtr.lease_expires_at < now() THEN 'its lease expired' ELSE 'it stopped heartbeating' END AS why
                FROM workspace_tracked_repositories wtr
                WHERE \(filter) AND \(leaseIsFree(deadAfter: settings.deadAfter))
                ORDER BY coalesce(wtr.priority_score, \(JobDefaults.priority)) DESC, wtr.next_sync_at NULLS FIRST, wtr.id
                LIMIT \(limit)
                FOR UPDATE OF wtr SKIP LOCKED
            ), aborted AS (
                UPDATE wsync.sync_runs run SET status = 'aborted', finished_at = now(),
                    duration_ms = (extract(epoch FROM now() - run.started_at) * 1000)::integer,
                    error = 'aborted: ' || \(owner) || ' took the job over because ' || due.why
                FROM due
                WHERE due.previous_owner IS NOT NULL AND run.job_id = due.id AND run.worker_id = due.previous_owner
                  AND run.status = 'running'
            )
            UPDATE workspace_tracked_repositories wtr
            SET lease_owner = \(owner), lease_expires_at = now() + make_interval(secs => \(settings.lease.seconds)),
                last_attempt_at = now()
            FROM due, tracked_repositories tr, repositories r
            WHERE wtr.id = due.id AND tr.id = wtr.tracked_repository_id AND r.id = tr.repository_id
            RETURNING \(SyncJob.columns)
            """).map(SyncJob.init(row:))
    }
}
