import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The dashboard's history, event feed and row detail against counts taken from the tables themselves.
@Suite struct ActivityHistoryTests {
    /// Every half hour of the last day counts the runs that started in it, also those the two-hour buckets of
    /// migration 7 left out (runs 20 hours old), and follows updates and deletes of the history.
    @Test(arguments: DatabaseShape.allCases) func runHistoryEqualsCountsPerHalfHour(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, started_at, status)
            SELECT job_id, workspace_id, repository_id, 'old-worker', now() - interval '20 hours', 'failed'
            FROM wsync.sync_runs LIMIT 7
            """)
        try connection.execute("UPDATE wsync.sync_runs SET status = 'failed' WHERE id % 7 = 0")
        try connection.execute("DELETE FROM wsync.sync_runs WHERE id % 11 = 0")
        let history = try ActivityHistory.fetch(connection)
        #expect(history.bucketMinutes == 30 && history.buckets.count == 48)
        let now = try connection.query("SELECT now() AS now")[0].decode("now", as: Date.self)
        #expect(history.buckets.last!.bucketStart <= now && now < history.buckets.last!.bucketStart + 1800)
        for bucket in history.buckets {
            let row = try connection.query("""
                SELECT count(*)::int AS runs, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM wsync.sync_runs
                WHERE started_at >= \(bucket.bucketStart)::timestamptz AND started_at < \(bucket.bucketStart)::timestamptz + interval '30 minutes'
                """)[0]
            #expect(bucket.runs == (try row.decode("runs", as: Int.self)), "\(bucket.bucketStart)")
            #expect(bucket.failedRuns == (try row.decode("failed", as: Int.self)), "\(bucket.bucketStart)")
        }
        #expect(history.failedRuns >= 7)
    }

    /// Per half hour the pool's low point: each token's lowest reading, summed over the tokens read in it.
    @Test func rateLimitHistoryIsEachHalfHoursLowPoint() throws {
        let connection = try TestDatabase.create().connect()
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at, token_fingerprint)
            VALUES (date_bin('30 minutes', now(), 'epoch') - interval '3 hours' + interval '1 minute', 'core', 5000, 4000, 1000, now(), 'a'),
                   (date_bin('30 minutes', now(), 'epoch') - interval '3 hours' + interval '20 minutes', 'core', 5000, 1200, 3800, now(), 'a'),
                   (date_bin('30 minutes', now(), 'epoch') - interval '3 hours' + interval '5 minutes', 'core', 5000, 2500, 2500, now(), 'b'),
                   (date_bin('30 minutes', now(), 'epoch') - interval '3 hours' + interval '6 minutes', 'search', 30, 0, 30, now(), 'b'),
                   (now() - interval '2 days', 'core', 5000, 0, 5000, now(), 'a')
            """)
        // A second statement into the same half hour lowers the low point further.
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at, token_fingerprint)
            VALUES (date_bin('30 minutes', now(), 'epoch') - interval '3 hours' + interval '25 minutes', 'core', 5000, 900, 4100, now(), 'a')
            """)
        let history = try ActivityHistory.fetch(connection)
        let readings = history.buckets.filter { $0.rateLimitRemaining != nil }
        #expect(readings.count == 1, "\(readings)")
        #expect(readings.first?.rateLimitRemaining == 900 + 2500)
        #expect(readings.first?.rateLimitLimit == 10_000)
        #expect(readings.first?.rateLimitFraction == 0.34)
        #expect(history.buckets.firstIndex { $0.rateLimitRemaining != nil } == 41)
    }

    @Test func cleanupPrunesBucketsOlderThanADay() throws {
        let connection = try TestDatabase.create().connect()
        try connection.execute("""
            INSERT INTO wsync.rate_limit_buckets (bucket_start, token_fingerprint, shard, limit_total, min_remaining)
            VALUES (now() - interval '30 hours', 'a', 0, 5000, 1), (now() - interval '1 hour', 'a', 0, 5000, 2)
            """)
        _ = try Operations(connection: connection, actor: "tester").cleanup()
        #expect(try connection.query("SELECT min_remaining FROM wsync.rate_limit_buckets").map { try $0.decode(0, as: Int.self) } == [2])
    }

    /// Actions name their target (the job's repository and workspace), runs theirs; newest first.
    @Test(arguments: DatabaseShape.allCases) func eventsAreTheNewestRunsAndActionsWithTheirTargets(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let target = try #require(try FailedSync.fetch(connection).first)
        let outcome = try Operations(connection: connection, actor: "oncall").reset(.job(target.jobId))
        let events = try RecentEvent.fetch(connection, limit: 20)
        #expect(events.filter { $0.kind == .run }.count == 20 && events.filter { $0.kind == .action }.count == 1)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.at >= $1.at })
        let action = try #require(events.first { $0.kind == .action })
        #expect(action.id == outcome.actionId && action.actor == "oncall" && action.action == "reset" && action.status == "done")
        #expect(action.repository == target.repository && action.workspace == target.workspace)
        #expect(action.summary == outcome.summary && action.affectedRows == 1)
        #expect(action.parameters?["job_id"] == target.jobId.uuidString.lowercased())
        let newest = try connection.query("""
            SELECT r.id, rp.full_name FROM wsync.sync_runs r JOIN repositories rp ON rp.id = r.repository_id
            ORDER BY coalesce(r.finished_at, r.started_at) DESC, r.id DESC LIMIT 1
            """)[0]
        let run = try #require(events.first { $0.kind == .run })
        #expect(run.id == (try newest.decode("id", as: Int64.self)))
        #expect(run.repository == (try newest.decode("full_name", as: String.self)))
        #expect(run.workspace != nil && run.apiCalls != nil)
        #expect(try DashboardSnapshot.fetch(connection).events == events)
    }

    @Test(arguments: DatabaseShape.allCases) func jobDetailIsTheRowInFullWithItsRuns(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let job = try connection.query("SELECT job_id FROM wsync.sync_runs GROUP BY job_id ORDER BY count(*) DESC, job_id LIMIT 1")[0]
            .decode("job_id", as: UUID.self)
        let detail = try #require(try JobDetail.fetch(connection, job: job, runs: 3))
        let row = try connection.query("""
            SELECT workspace_id, coalesce(priority_score, 50) AS priority, coalesce(sync_frequency_hours, 24) AS hours,
                   is_active IS TRUE AS active, lease_owner, coalesce(sync_attempts, 0) AS attempts
            FROM workspace_tracked_repositories WHERE id = \(job)
            """)[0]
        #expect(detail.jobId == job)
        #expect(detail.workspaceId == (try row.decode("workspace_id", as: UUID.self)))
        #expect(detail.priorityScore == (try row.decode("priority", as: Int.self)))
        #expect(detail.syncFrequencyHours == (try row.decode("hours", as: Int.self)))
        #expect(detail.isActive == (try row.decode("active", as: Bool.self)))
        #expect(detail.leaseOwner == (try row.decode("lease_owner", as: String?.self)))
        #expect(detail.syncAttempts == (try row.decode("attempts", as: Int.self)))
        #expect(detail.runs == (try SyncRun.recent(connection, job: job, limit: 3)))
        #expect(try JobDetail.fetch(connection, job: UUID()) == nil)
    }
}
