import Foundation
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

/// The rules the CLI and the dashboard share, which the dashboard only words: what a reset of an already-reset row
/// does, which leases a reset releases, which expired leases count as stuck, what a stop stopped, what a sync is
/// expected to cost, and what a result names.
@Suite struct OperatorRuleTests {
    /// A workspace "Rules Co" with jobs for `names`, each failed with 3 attempts; returns the connection and job ids.
    private func failedJobs(_ names: [String]) throws -> (Connection, UUID, [UUID]) {
        let connection = try TestDatabase.create().connect()
        let workspace = try SyncSeeding.workspace(connection, name: "Rules Co")
        let jobs = try names.enumerated().map { n, name in
            try SyncSeeding.track(connection, githubID: Int64(7000 + n), fullName: name, workspace: workspace)
        }
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 3,
                last_sync_error = 'GitHub returned 502', next_sync_at = now() + interval '2 hours', last_attempt_at = now()
            WHERE id = ANY(\(jobs)::uuid[])
            """)
        return (connection, workspace, jobs)
    }

    private struct RetryState: Equatable {
        var attempts: Int, error: String?, next: Date?, leaseOwner: String?
    }

    private func state(_ connection: Connection, _ job: UUID) throws -> RetryState {
        let row = try connection.query("""
            SELECT sync_attempts, last_sync_error, next_sync_at, lease_owner FROM workspace_tracked_repositories WHERE id = \(job)
            """)[0]
        return RetryState(attempts: try row.decode("sync_attempts"), error: try row.decode("last_sync_error"),
                          next: try row.decode("next_sync_at"), leaseOwner: try row.decode("lease_owner"))
    }

    @Test func aSecondResetChangesNothingAndSaysTheRowsAreQueuedForRetry() throws {
        let (connection, _, jobs) = try failedJobs(["rules/api", "rules/web"])
        let operations = Operations(connection: connection, actor: "tester")
        let first = try operations.reset(.jobs(jobs))
        #expect(first.affectedRows == 2 && first.undoable)
        #expect(first.summary == "reset 2 syncs (rules/api (Rules Co), rules/web (Rules Co)): attempts 0, due now, error cleared")
        let failed = try FailedSync.fetch(connection)
        #expect(failed.count == 2 && failed.allSatisfy(\.queuedForRetry), "reset rows stay failed, queued for retry")
        let snapshot = try DashboardSnapshot.fetch(connection)
        #expect(snapshot.failedQueued == 2 && snapshot.failedToReset == 0)

        let before = try jobs.map { try state(connection, $0) }
        let second = try operations.reset(.jobs(jobs))
        #expect(second.affectedRows == 0 && !second.undoable)
        #expect(second.summary == "nothing to reset: all 2 syncs (rules/api (Rules Co), rules/web (Rules Co)) are already queued for retry (due now, attempts 0, no error)")
        #expect(try jobs.map { try state(connection, $0) } == before, "a reset of reset rows must change nothing")
        let one = try operations.reset(.job(jobs[0]))
        #expect(one.summary == "nothing to reset: rules/api (Rules Co) is already queued for retry (due now, attempts 0, no error)")
        // A reset of all failed rows leaves them alone too, and says so when it changes others.
        try connection.execute("UPDATE workspace_tracked_repositories SET sync_attempts = 4, last_sync_error = 'boom' WHERE id = \(jobs[1])")
        let mixed = try operations.reset(.allFailed)
        #expect(mixed.affectedRows == 1)
        #expect(mixed.summary == "reset rules/web (Rules Co): attempts 0, due now, error cleared; left 1 sync (rules/api (Rules Co)) alone, already queued for retry")
        // Its undo restores only what it changed.
        _ = try operations.undo(actionID: try #require(mixed.actionId))
        #expect(try state(connection, jobs[1]).attempts == 4)
        #expect(try state(connection, jobs[0]).attempts == 0)
    }

    @Test func aResetReleasesALeaseItsHolderLeftButNotALiveOne() throws {
        let (connection, _, jobs) = try failedJobs(["rules/left", "rules/held"])
        try JobLeases.register(connection, id: "worker:alive:1:abcd", concurrency: 2, rateLimitReserve: 50)
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET sync_attempts = 0, last_sync_error = NULL, last_sync_status = 'success',
                next_sync_at = now() - interval '3 hours', lease_owner = 'worker:gone:9:ffff', lease_expires_at = now() - interval '10 minutes'
            WHERE id = \(jobs[0]);
            """)
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET lease_owner = 'worker:alive:1:abcd', lease_expires_at = now() + interval '2 minutes'
            WHERE id = \(jobs[1])
            """)
        let stuck = try StuckSync.fetch(connection, includeExpiredLeases: true)
        #expect(stuck.map(\.jobId) == [jobs[0]] && stuck.first?.reason == .leaseExpired)

        let operations = Operations(connection: connection, actor: "tester")
        let left = try operations.reset(.job(jobs[0]))
        #expect(left.affectedRows == 1)
        #expect(left.summary == "reset rules/left (Rules Co): attempts 0, due now, error cleared; released the lease worker:gone:9:ffff left behind")
        #expect(try state(connection, jobs[0]).leaseOwner == nil)
        #expect(try StuckSync.fetch(connection, includeExpiredLeases: true).isEmpty, "the row stays stuck after r")

        let held = try operations.reset(.job(jobs[1]))
        #expect(held.affectedRows == 1 && !held.summary.contains("released"))
        #expect(try state(connection, jobs[1]).leaseOwner == "worker:alive:1:abcd", "a live worker's lease was taken")
    }

    @Test func anExpiredLeaseOnARowNotYetDueIsNotStuck() throws {
        let (connection, _, jobs) = try failedJobs(["rules/later", "rules/due"])
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET lease_owner = 'worker:gone:9:ffff', lease_expires_at = now() - interval '5 minutes',
                next_sync_at = CASE WHEN id = \(jobs[0]) THEN now() + interval '3 hours' ELSE now() - interval '1 minute' END
            WHERE id = ANY(\(jobs)::uuid[])
            """)
        let stuck = try StuckSync.fetch(connection, includeExpiredLeases: true)
        #expect(stuck.map(\.fullName) == ["rules/due"])
    }

    @Test func aStopSaysHowManyRowsItStopped() throws {
        let (connection, _, jobs) = try failedJobs(["rules/a", "rules/b", "rules/c"])
        let operations = Operations(connection: connection, actor: "tester")
        #expect(try PauseState.fetch(connection).stoppedRows == nil)
        let stop = try operations.stopAll(reason: "drill")
        let pause = try PauseState.fetch(connection)
        #expect(pause.stoppedRows == jobs.count && pause.actionId == stop.actionId)
        let snapshot = try DashboardSnapshot.fetch(connection)
        #expect(snapshot.status.health.failed == 0 && snapshot.failedTotal == 3 && snapshot.failedInactive == 3)
        _ = try operations.resume()
        #expect(try PauseState.fetch(connection).stoppedRows == nil)
    }

    @Test func aSyncIsEstimatedFromEachRowsLastRunAgainstTheBudgetAndTheReserve() throws {
        let (connection, workspace, jobs) = try failedJobs(["rules/known", "rules/new"])
        try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, started_at, finished_at, api_calls, status)
            SELECT \(jobs[0]), \(workspace), tr.repository_id, 'worker:x', now() - make_interval(mins => n), now(), n, 'success'
            FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id,
                 (VALUES (4), (9)) AS runs(n)
            WHERE wtr.id = \(jobs[0])
            """)
        var estimate = try SyncEstimate.forSync(SyncSelection(workspaceID: workspace), connection)
        // The newest run (4 calls, 4 minutes ago) for one, the cost model for the other.
        #expect(estimate.rows == 2 && estimate.rowsWithHistory == 1 && estimate.apiCalls == 4 + CostModel.callsPerSync)
        #expect(estimate.names == ["rules/known (Rules Co)", "rules/new (Rules Co)"])
        #expect(estimate.verdict == .unknown && estimate.costText.hasPrefix("about 9 API calls (no rate-limit reading yet"))
        #expect(estimate.basisText == "from the rows' last runs, 5 each for 1 without one")

        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (resource, limit_total, remaining, used, reset_at)
            VALUES ('core', 5000, 15, 4985, now() + interval '10 minutes')
            """)
        estimate = try SyncEstimate.forSync(SyncSelection(workspaceID: workspace), connection)
        #expect(estimate.remaining == 15 && estimate.reserve == nil && estimate.verdict == .fits)
        #expect(estimate.costText == "about 9 API calls of the 15 left, leaving 6")
        try JobLeases.register(connection, id: "worker:alive:1:abcd", concurrency: 2, rateLimitReserve: 10)
        estimate = try SyncEstimate.forSync(SyncSelection(workspaceID: workspace), connection)
        #expect(estimate.reserve == 10 && estimate.verdict == .pastReserve)
        #expect(estimate.costText == "about 9 API calls of the 15 left, leaving 6: under the workers' reserve of 10, so they stop claiming until the reset")
        estimate = try SyncEstimate.forSync(SyncSelection(jobIDs: jobs + jobs), connection)
        #expect(estimate.rows == 2, "a row named twice is counted once")

        // A reset is estimated for the rows it would change.
        _ = try Operations(connection: connection, actor: "tester").reset(.job(jobs[1]))
        let reset = try SyncEstimate.forReset(.allFailed, connection)
        #expect(reset.rows == 1 && reset.alreadyReset == 1 && reset.names == ["rules/known (Rules Co)"] && reset.apiCalls == 4)
        let retry = try SyncEstimate.forRetry(.allFailed, connection)
        #expect(retry.rows == 2)
    }

    @Test func theBurnSaysWhatTimeItCoversAndTheReserveBlockerSinceWhen() throws {
        let (connection, _, _) = try failedJobs(["rules/a"])
        try JobLeases.register(connection, id: "worker:alive:1:abcd", concurrency: 2, rateLimitReserve: 100)
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at)
            VALUES (now() - interval '3 minutes', 'core', 5000, 160, 4840, now() + interval '20 minutes'),
                   (now() - interval '2 minutes', 'core', 5000, 90, 4910, now() + interval '20 minutes'),
                   (now() - interval '1 second', 'core', 5000, 40, 4960, now() + interval '20 minutes')
            """)
        let gauge = try RateLimitGauge.fetch(connection)
        let window = try #require(gauge.burnWindowSeconds)
        #expect(abs(window - 179) < 2, "\(window)")
        let status = try SyncStatus.fetch(connection)
        let blocker = try #require(status.reserveBlocker)
        let since = try #require(blocker.since)
        let now: Date = try connection.query("SELECT now() AS now")[0].decode("now")
        #expect(abs(now.timeIntervalSince(since) - 120) < 2, "workers stopped claiming when 90 (≤ 100) was first seen")
        #expect(status.claimReserve == 100)
        #expect(gauge.outlook(at: now) != .unknown)
    }

    @Test func aSyncResultNamesWhatItSynced() {
        func report(_ name: String, _ status: String) -> RunReport {
            RunReport(jobID: UUID(), workspaceID: UUID(), repository: name, status: status, issuesFound: 1, issuesSynced: 1,
                      apiCalls: 1, notModified: 0, pages: 1, error: nil)
        }
        let one = SyncNowResult(success: true, dryRun: false, repositoriesProcessed: 1, totalIssuesFound: 1, totalIssuesSynced: 1,
                                apiCalls: 1, skippedBusy: [], results: [report("dash/api", "success")], auditID: 7)
        #expect(one.summary == "synced 1 repository: 1 success, 0 partial, 0 failed, 1 issue stored, 1 API call (dash/api)")
        let many = SyncNowResult(success: false, dryRun: false, repositoriesProcessed: 5, totalIssuesFound: 5, totalIssuesSynced: 12,
                                 apiCalls: 9, skippedBusy: [], results: ["a/1", "a/2", "a/3", "a/4", "a/5"].map { report($0, "success") },
                                 auditID: 8)
        #expect(many.summary == "synced 5 repositories: 5 success, 0 partial, 0 failed, 12 issues stored, 9 API calls (a/1, a/2, a/3 and 2 more)")
    }

    /// The outlook never shows a projection whose time has passed as ahead.
    @Test func theOutlookOfAReadingChangesAsTimePasses() throws {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func gauge(remaining: Int, burn: Double?, exhaustion: Date?, beforeReset: Bool) -> RateLimitGauge {
            RateLimitGauge(limit: 5000, remaining: remaining, used: 5000 - remaining, resetAt: base + 1200, observedAt: base,
                           observationAgeSeconds: 0, burnPerMinute: burn, burnWindowSeconds: 900, projectedExhaustionAt: exhaustion,
                           exhaustsBeforeReset: beforeReset, tokens: [])
        }
        let burning = gauge(remaining: 300, burn: 60, exhaustion: base + 300, beforeReset: true)
        #expect(burning.outlook(at: base + 10) == .runsOut(at: base + 300))
        #expect(burning.outlook(at: base + 400) == .projectionPassed(at: base + 300))
        #expect(burning.reserveReached(100, at: base) == base + 200)
        #expect(burning.reserveReached(100, at: base + 250) == nil, "a reserve time that has passed is not ahead")
        #expect(gauge(remaining: 0, burn: 60, exhaustion: base, beforeReset: true).outlook(at: base + 1) == .exhausted(until: base + 1200))
        #expect(gauge(remaining: 4000, burn: 1, exhaustion: base + 240_000, beforeReset: false).outlook(at: base) == .lastsUntilReset)
        #expect(gauge(remaining: 4000, burn: nil, exhaustion: nil, beforeReset: false).outlook(at: base) == .idle)
    }
}
