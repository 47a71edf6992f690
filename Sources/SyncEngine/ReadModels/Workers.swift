import Foundation
import Postgres

/// When a worker counts as dead or hung. `deadAfter` should match the workers' `--dead-after-seconds` (the same
/// default), so a worker shown dead is one whose jobs other workers already take over.
public struct LivenessThresholds: Sendable, Equatable {
    /// No heartbeat for this long: dead (crashed, killed, or cut off from the database).
    public var deadAfter: TimeSpan
    /// Heartbeating, but no step forward (a claim attempt, a page, a finished run) for this long: hung.
    public var hungAfter: TimeSpan

    public init(deadAfter: TimeSpan = TimeSpan(seconds: 30), hungAfter: TimeSpan = TimeSpan(seconds: 300)) {
        self.deadAfter = deadAfter
        self.hungAfter = hungAfter
    }
}

/// One `wsync worker` process as its heartbeats describe it (`wsync workers`, `wsync status`'s `workers`, the
/// dashboard's workers view). Manual syncs also register, to hold leases, but are not workers and are not listed.
public struct WorkerState: Codable, Sendable, Equatable {
    public enum Liveness: String, Codable, Sendable {
        /// Heartbeating and moving forward.
        case alive
        /// Heartbeating, but no progress for `hungAfter`: it holds its jobs without syncing them.
        case hung
        /// No heartbeat for `deadAfter`; other workers take its jobs over.
        case dead
        /// Exited cleanly (SIGTERM, `--once` done).
        case stopped
    }

    public var id: String
    public var hostname: String
    public var pid: Int
    public var version: String
    public var concurrency: Int
    public var currentJobs: Int
    public var rateLimitReserve: Int
    public var startedAt: Date
    public var heartbeatAt: Date
    public var lastProgressAt: Date
    public var stoppedAt: Date?
    public var state: Liveness

    /// The workers of the last `JobLeases.pruneAfter` (older rows are pruned), newest first.
    static func listQuery(_ thresholds: LivenessThresholds) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'id', w.id, 'hostname', w.hostname, 'pid', w.pid, 'version', w.version, 'concurrency', w.concurrency,
                   'current_jobs', w.current_jobs, 'rate_limit_reserve', w.rate_limit_reserve, 'started_at', w.started_at,
                   'heartbeat_at', w.heartbeat_at, 'last_progress_at', w.last_progress_at, 'stopped_at', w.stopped_at,
                   'state', w.state)
                   ORDER BY w.started_at DESC, w.id), '[]')
        FROM (\(classified(thresholds))) w
        """
    }

    /// wsync.workers rows of worker processes, with their liveness as `state`.
    static func classified(_ thresholds: LivenessThresholds) -> SQL {
        """
        SELECT w.*,
               CASE WHEN w.stopped_at IS NOT NULL THEN 'stopped'
                    WHEN w.heartbeat_at <= now() - \(thresholds.deadAfter.seconds) * interval '1 second' THEN 'dead'
                    WHEN w.last_progress_at <= now() - \(thresholds.hungAfter.seconds) * interval '1 second' THEN 'hung'
                    ELSE 'alive' END AS state
        FROM wsync.workers w
        WHERE split_part(w.id, ':', 1) = 'worker'
        """
    }
}

/// Why due jobs are not being claimed — the first question on-call asks when nothing syncs. Each blocker that holds
/// is listed; none means workers are free to claim.
public struct ClaimBlocker: Codable, Sendable, Equatable {
    public enum Reason: String, Codable, Sendable {
        /// `wsync stop-all` or `rollback` set the global pause: workers claim nothing until `wsync resume`.
        case globalPause = "global_pause"
        /// Every token of the pool is spent to the live workers' reserve (or cooling down after a secondary limit),
        /// until the first one resets.
        case rateLimitReserve = "rate_limit_reserve"
        /// No worker process heartbeats and makes progress.
        case noWorkerAlive = "no_worker_alive"
        /// Every slot of every live worker holds a job while more are due.
        case allWorkersBusy = "all_workers_busy"
    }

    public var reason: Reason
    /// One line for people: what holds and what lifts it.
    public var message: String
    /// When it lifts by itself (the rate-limit reset), if it does.
    public var until: Date?
    /// Since when it holds, where that is known: when the pause was set; for the reserve, when the last usable token
    /// of the pool was first seen at or below the workers' reserve in its current window — when workers stopped
    /// claiming.
    public var since: Date?

    static func query(_ thresholds: LivenessThresholds) -> SQL {
        """
        WITH w AS (\(WorkerState.classified(thresholds))),
        live AS (
            SELECT count(*) FILTER (WHERE state = 'alive') AS alive,
                   count(*) FILTER (WHERE state = 'hung') AS hung,
                   count(*) FILTER (WHERE state = 'dead') AS dead,
                   coalesce(sum(concurrency) FILTER (WHERE state = 'alive'), 0) AS slots,
                   coalesce(sum(current_jobs) FILTER (WHERE state = 'alive'), 0) AS busy,
                   min(rate_limit_reserve) FILTER (WHERE state = 'alive') AS reserve
            FROM w
        ),
        -- The pool as workers judge it (TokenBudgets): each known token's latest core reading within its window,
        -- whether it is set aside (401) or cooling down (secondary limit), and when it can be used again.
        token_standings AS (
            SELECT t.set_aside_at IS NOT NULL AS set_aside, t.cooling_until, o.remaining, o.reset_at, sp.spent_since
            FROM (SELECT fingerprint FROM wsync.github_tokens
                  UNION SELECT token_fingerprint FROM wsync.rate_limit_observations WHERE reset_at > now()) f
            LEFT JOIN wsync.github_tokens t ON t.fingerprint = f.fingerprint
            LEFT JOIN LATERAL (
                SELECT remaining, reset_at FROM wsync.rate_limit_observations o
                WHERE o.token_fingerprint = f.fingerprint AND o.resource = 'core' AND o.reset_at > now()
                ORDER BY o.observed_at DESC, o.id DESC LIMIT 1
            ) o ON true
            LEFT JOIN LATERAL (
                SELECT min(s.observed_at) AS spent_since FROM wsync.rate_limit_observations s, live
                WHERE s.token_fingerprint = f.fingerprint AND s.resource = 'core' AND s.reset_at = o.reset_at
                  AND s.remaining <= live.reserve
            ) sp ON true
        ),
        rate AS (
            SELECT count(*) AS tokens, coalesce(sum(s.remaining), 0) AS remaining,
                   min(greatest(s.cooling_until, s.reset_at)) FILTER (WHERE NOT s.set_aside) AS until,
                   max(s.spent_since) AS since
            FROM token_standings s, live
            WHERE s.set_aside OR s.cooling_until > now() OR s.remaining <= live.reserve
            HAVING count(*) = (SELECT count(*) FROM token_standings) AND count(*) > 0
        ),
        pause AS (SELECT reason, paused_by, paused_at FROM wsync.pause WHERE is_paused),
        due AS (\(dueQuery)),
        blockers AS (
            SELECT 1 AS n, 'global_pause' AS reason,
                   'syncing is paused' || coalesce(' (' || pause.reason || ')', '') || coalesce(' by ' || pause.paused_by, '')
                       || ': wsync resume lifts it' AS message,
                   NULL::timestamptz AS until, pause.paused_at AS since
            FROM pause
            UNION ALL
            SELECT 2, 'rate_limit_reserve',
                   format('GitHub reports %s requests left over %s tokens, each spent to the live workers'' reserve of %s or cooling down: no claims until the reset',
                          rate.remaining, rate.tokens, live.reserve),
                   rate.until, rate.since
            FROM rate, live WHERE live.alive > 0
            UNION ALL
            SELECT 3, 'no_worker_alive',
                   format('no worker is alive (%s hung, %s dead): start wsync worker', live.hung, live.dead), NULL, NULL
            FROM live WHERE live.alive = 0
            UNION ALL
            SELECT 4, 'all_workers_busy',
                   format('all %s slots of %s live workers are busy and %s more jobs are due', live.slots, live.alive, due.n), NULL, NULL
            FROM live, due WHERE live.alive > 0 AND live.busy >= live.slots AND due.n > 0
        )
        SELECT coalesce(json_agg(json_build_object('reason', reason, 'message', message, 'until', until, 'since', since)
                            ORDER BY n), '[]')
        FROM blockers
        """
    }

    /// Active jobs that are due and that no unexpired lease holds: what a free worker would claim.
    static let dueQuery: SQL = """
        SELECT count(*) AS n FROM \(JobRows.nullSafe) wtr
        WHERE is_active AND fetch_issues AND (next_sync_at IS NULL OR next_sync_at <= now())
          AND (lease_owner IS NULL OR lease_expires_at <= now())
        """
}

/// `wsync workers`: every worker's liveness, the jobs waiting, and why they are not claimed.
public struct WorkerReport: Codable, Sendable, Equatable {
    public var workers: [WorkerState]
    /// Jobs due now that no unexpired lease holds.
    public var dueNow: Int
    public var claimBlockers: [ClaimBlocker]

    public static func fetch(_ connection: Connection, thresholds: LivenessThresholds = LivenessThresholds()) throws -> WorkerReport {
        try ReadModelQuery.fetch(connection, query(thresholds))
    }

    public static func query(_ thresholds: LivenessThresholds) -> SQL {
        """
        SELECT json_build_object(
            'workers', (\(WorkerState.listQuery(thresholds))),
            'due_now', (SELECT n FROM (\(ClaimBlocker.dueQuery)) due),
            'claim_blockers', (\(ClaimBlocker.query(thresholds))))
        """
    }
}
