import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The dashboard's rollup and run buckets against full counts, after every kind of write other writers make.
@Suite struct RollupTests {
    /// Writes the app, its triggers and people in psql make: NULLs, moves between workspaces, upserts, deletes, tier
    /// changes, deleted workspaces, rolled-back transactions.
    static func arbitraryWrites(_ shape: DatabaseShape) -> [SQL] {
        [
            "SELECT setseed(0.17)",
            """
            UPDATE workspace_tracked_repositories
            SET last_sync_status = (ARRAY['success', 'failed', 'partial', NULL])[1 + floor(random() * 4)::int],
                last_sync_at = CASE WHEN random() < 0.2 THEN NULL ELSE now() - random() * interval '3 days' END,
                total_issues_fetched = total_issues_fetched + 7,
                sync_frequency_hours = (ARRAY[1, 4, 24, 168])[1 + floor(random() * 4)::int],
                is_active = random() < 0.8
            WHERE random() < 0.3
            """,
            // Due times either side of the quarter hour the counts are kept by, on its edge, an hour away, infinite
            // and missing.
            """
            UPDATE workspace_tracked_repositories
            SET next_sync_at = (ARRAY[now() - interval '14 minutes', now() - interval '16 minutes', now() + interval '1 minute',
                                      now() - interval '59 minutes', now() - interval '61 minutes',
                                      date_bin('15 minutes', now(), 'epoch'), '-infinity'::timestamptz, 'infinity'::timestamptz,
                                      NULL])[1 + floor(random() * 9)::int]
            WHERE random() < 0.3
            """,
            // Lease traffic changes no count.
            "UPDATE workspace_tracked_repositories SET lease_owner = 'w', lease_expires_at = now() + interval '1 minute' WHERE random() < 0.2",
            """
            UPDATE workspace_tracked_repositories j SET workspace_id = (SELECT id FROM workspaces ORDER BY slug DESC LIMIT 1)
            WHERE j.id IN (SELECT id FROM workspace_tracked_repositories ORDER BY id LIMIT 5)
              AND NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories o
                              WHERE o.workspace_id = (SELECT id FROM workspaces ORDER BY slug DESC LIMIT 1)
                                AND o.tracked_repository_id = j.tracked_repository_id)
            """,
            """
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, added_by, last_sync_status, is_active)
            SELECT w.id, tr.id, w.owner_id, 'failed', true
            FROM (SELECT id, owner_id FROM workspaces ORDER BY slug LIMIT 3) w
            CROSS JOIN (SELECT id FROM tracked_repositories ORDER BY id LIMIT 20) tr
            ON CONFLICT (workspace_id, tracked_repository_id) DO UPDATE SET last_sync_status = 'success', total_issues_fetched = 1
            """,
            "DELETE FROM workspace_tracked_repositories WHERE random() < 0.05",
            // A tier change the shape's triggers allow (production's cannot change a tier to team).
            "UPDATE workspaces SET tier = 'pro' WHERE slug = (SELECT min(slug) FROM workspaces WHERE tier = \(shape.topTier))",
            "UPDATE workspaces SET tier = 'pro', max_repositories = 200 WHERE slug = (SELECT min(slug) FROM workspaces WHERE tier = 'free')",
            "UPDATE workspaces SET max_repositories = max_repositories + 3 WHERE tier = 'free'",
            // Production's logging trigger fails a workspace's delete that cascades to its memberships: those go first
            // (the app's trigger deletes their jobs), the jobs moved in above then go with the workspace's cascade.
            "DELETE FROM workspace_repositories WHERE workspace_id = (SELECT id FROM workspaces ORDER BY slug DESC LIMIT 1)",
            "DELETE FROM workspaces WHERE id = (SELECT id FROM workspaces ORDER BY slug DESC LIMIT 1)",
            "BEGIN",
            "UPDATE workspace_tracked_repositories SET is_active = false",
            "DELETE FROM workspace_tracked_repositories WHERE workspace_id IN (SELECT id FROM workspaces WHERE tier = 'free')",
            "ROLLBACK",
        ]
    }

    @Test(arguments: DatabaseShape.allCases) func rollupEqualsAFullCountAfterArbitraryWrites(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        #expect(try DashboardRollup.drift(connection) == [])
        // Production's workspace_repositories triggers (cascaded from a workspace's delete) log the app's user.
        try SyncSeeding.actAsApp(connection, user: try connection.query("SELECT owner_id FROM workspaces LIMIT 1")[0].decode("owner_id"))
        for write in Self.arbitraryWrites(shape) {
            try connection.execute(write)
            #expect(try DashboardRollup.drift(connection) == [], "after: \(write)")
        }
        try expectReadModelsEqualFullCounts(connection)
    }

    /// A lease taken or extended changes nothing counted: the trigger compares and leaves the rollup and the clock's
    /// counts untouched (not even locked), where a counted change is summed into both.
    @Test(arguments: DatabaseShape.allCases) func updatesThatChangeNothingCountedLeaveTheCountsAlone(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let counts: SQL = """
            SELECT count(*) AS locks FROM pg_locks
            WHERE pid = pg_backend_pid() AND relation IN ('wsync.job_rollup'::regclass, 'wsync.job_clock_counts'::regclass)
            """
        let job: UUID = try connection.query("SELECT id FROM workspace_tracked_repositories WHERE is_active ORDER BY id LIMIT 1")[0].decode("id")
        try connection.transaction { c in
            try c.execute("""
                UPDATE workspace_tracked_repositories SET lease_owner = 'w', lease_expires_at = now() + interval '5 minutes',
                    last_attempt_at = now(), priority_score = priority_score
                WHERE id = \(job)
                """)
            #expect(try c.query(counts)[0].decode("locks", as: Int.self) == 0)
            try c.execute("UPDATE workspace_tracked_repositories SET last_sync_status = 'failed' WHERE id = \(job)")
            #expect(try c.query(counts)[0].decode("locks", as: Int.self) > 0)
            #expect(try DashboardRollup.drift(c) == [])
        }
    }

    /// The app writes as Supabase's API roles, which may not use schema wsync: their writes still count (and work).
    @Test(arguments: [DatabaseShape.production, .guideEra]) func theAppsRolesWritesCount(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        for role in ["service_role", "authenticated", "anon"] {
            try connection.execute("SELECT set_config('role', \(role), false)")
            let changed = try connection.execute("""
                UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', is_active = true
                WHERE id IN (SELECT id FROM workspace_tracked_repositories ORDER BY id DESC LIMIT 4)
                """)
            #expect(changed == 4)
            try connection.execute("RESET role")
            #expect(try DashboardRollup.drift(connection) == [], "after writes as \(role)")
        }
    }

    @Test(arguments: DatabaseShape.allCases) func truncatedTablesLeaveAnEmptyRollup(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.execute("TRUNCATE workspace_tracked_repositories CASCADE")
        #expect(try DashboardRollup.drift(connection) == [])
        #expect(try SyncStatus.fetch(connection).health.totalWorkspaces == 0)
        try connection.execute("TRUNCATE workspaces CASCADE")
        #expect(try DashboardRollup.drift(connection) == [])
        #expect(try TierUsage.fetch(connection).allSatisfy { $0.workspaces == 0 && $0.repositoriesTracked == 0 })
    }

    /// Writes that bypass triggers (replication mode) make the rollup drift; check's repair says what and rebuilds it.
    @Test(arguments: DatabaseShape.allCases) func driftIsFoundNamedAndRepaired(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        #expect(try DashboardRollup.repairDrift(connection, actor: "tester") == [])
        #expect(try AuditLog.entries(connection, action: .repairRollup).isEmpty)
        let withDueTime: Int = try connection.query("""
            SELECT count(*) AS n FROM workspace_tracked_repositories
            WHERE is_active AND next_sync_at IS NOT NULL AND workspace_id IN (SELECT id FROM workspaces WHERE tier = 'pro')
            """)[0].decode("n")
        try connection.execute("SET session_replication_role = replica")
        let deactivated = try connection.execute("""
            UPDATE workspace_tracked_repositories SET is_active = false
            WHERE is_active AND workspace_id IN (SELECT id FROM workspaces WHERE tier = 'pro')
            """)
        try connection.execute("RESET session_replication_role")
        #expect(deactivated > 0)
        let drift = try DashboardRollup.drift(connection)
        // The deactivated jobs still count in the rollup's tier and in the due hours kept by the clock.
        #expect(drift.map(\.tier) == ["pro", DashboardRollup.Drift.clockCounts])
        let due = drift.last?.columns.filter { $0.key.hasPrefix("due ") }.values.reduce(0) { $0 + $1.rollup - $1.counted }
        #expect(due == Double(withDueTime))
        #expect(drift.last?.description.hasPrefix("counts by the quarter hour: due ") == true)
        let active = try #require(drift.first?.columns["active"])
        #expect(active.rollup - active.counted == Double(deactivated))
        #expect(drift.first?.description.contains("tier pro: ") == true)
        #expect(try DashboardRollup.repairDrift(connection, actor: "tester") == drift)
        #expect(try DashboardRollup.drift(connection) == [])
        // The repair is an action like any other: in the audit log, with what had drifted, and not undoable.
        let entry = try #require(try AuditLog.entries(connection, action: .repairRollup).first)
        #expect(entry.actor == "tester" && !entry.undoable)
        #expect(entry.parameters["pro"] == drift.first?.description)
        try expectReadModelsEqualFullCounts(connection)
    }

    /// Writers in several sessions spread one bucket's count over shards; cleanup folds them into a row a bucket and
    /// drops the buckets that add up to nothing, and the counts still equal a full count. The buckets are quarter
    /// hours: a refresh counts only the current one's rows.
    @Test func cleanupFoldsTheShardsOfTheCountsKeptByTheQuarterHour() throws {
        let database = try TestDatabase.create(shape: .fresh)
        let connection = try database.connect()
        try SyncSeeding.demo(connection)
        for seed in [0.1, 0.2, 0.3] {
            let writer = try database.connect()
            try writer.execute("SELECT setseed(\(seed))")
            try writer.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() - random() * interval '3 hours' WHERE random() < 0.5")
        }
        let rows = { (sql: SQL) throws -> Int in try connection.query(sql)[0].decode("n") }
        #expect(try rows("SELECT count(*) AS n FROM (SELECT 1 FROM wsync.job_clock_counts GROUP BY kind, bucket_start HAVING count(*) > 1) s") > 0)
        _ = try Operations(connection: connection, actor: "tester").cleanup()
        #expect(try rows("SELECT count(*) AS n FROM (SELECT 1 FROM wsync.job_clock_counts GROUP BY kind, bucket_start HAVING count(*) > 1) s") == 0)
        #expect(try rows("SELECT count(*) AS n FROM wsync.job_clock_counts WHERE jobs = 0") == 0)
        #expect(try DashboardRollup.drift(connection) == [])
        #expect(try rows("""
            SELECT count(*) AS n FROM wsync.job_clock_counts
            WHERE isfinite(bucket_start) AND bucket_start <> date_bin('15 minutes', bucket_start, 'epoch')
            """) == 0)
        #expect(try rows("""
            SELECT count(DISTINCT extract(minute FROM bucket_start)) AS n FROM wsync.job_clock_counts
            WHERE kind = 'due' AND isfinite(bucket_start)
            """) == 4)
        try expectReadModelsEqualFullCounts(connection)
    }

    @Test(arguments: DatabaseShape.allCases) func runBucketsFollowEveryWriteOfTheHistory(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.execute("""
            UPDATE wsync.sync_runs SET status = CASE WHEN status = 'failed' THEN 'success' ELSE 'failed' END, issues_stored = issues_stored + 3
            WHERE id % 3 = 0
            """)
        try connection.execute("DELETE FROM wsync.sync_runs WHERE id % 5 = 0")
        try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, started_at)
            SELECT job_id, workspace_id, repository_id, 'running-worker', now() - interval '59 minutes 30 seconds'
            FROM wsync.sync_runs LIMIT 4
            """)
        try expectReadModelsEqualFullCounts(connection)
        let status = try SyncStatus.fetch(connection)
        for bucket in status.throughput {
            let counted: Int = try connection.query("""
                SELECT count(*)::int AS runs FROM wsync.sync_runs
                WHERE started_at >= \(bucket.bucketStart)::timestamptz AND started_at < \(bucket.bucketStart)::timestamptz + interval '5 minutes'
                """)[0].decode("runs")
            #expect(bucket.runs == counted)
        }
    }

    /// The status pane and tier pane beside counts taken from the tables themselves.
    private func expectReadModelsEqualFullCounts(_ connection: Connection) throws {
        // One transaction: the clock (now()) the status read is the one the full count uses.
        try connection.transaction { connection in try expectStatusEqualsFullCounts(connection) }
        try expectTierUsageEqualsFullCounts(connection)
    }

    private func expectStatusEqualsFullCounts(_ connection: Connection) throws {
        let status = try SyncStatus.fetch(connection)
        let row = try #require(try connection.query("""
            SELECT count(*) FILTER (WHERE is_active) AS total,
                   count(*) FILTER (WHERE is_active AND last_sync_status = 'success') AS successful,
                   count(*) FILTER (WHERE is_active AND last_sync_status = 'failed') AS failed,
                   count(*) FILTER (WHERE is_active AND last_sync_at IS NULL) AS never,
                   count(*) FILTER (WHERE is_active IS NOT TRUE) AS inactive,
                   (avg(EXTRACT(EPOCH FROM (now() - last_sync_at)) / 3600) FILTER (WHERE is_active))::int AS avg_hours,
                   (SELECT count(*) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour') AS runs,
                   (SELECT count(*) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour' AND status = 'failed') AS failed_runs,
                   (SELECT coalesce(sum(issues_stored), 0) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour') AS issues,
                   count(*) FILTER (WHERE is_active AND next_sync_at <= now()
                                      AND NOT (lease_owner IS NOT NULL AND lease_expires_at > now())) AS due,
                   (count(*) FILTER (WHERE is_active AND last_sync_status = 'success' AND last_sync_at IS NOT NULL
                                       AND last_sync_at + make_interval(hours => coalesce(sync_frequency_hours, 24)) >= now()))::float8
                     / nullif(count(*) FILTER (WHERE is_active), 0) AS fresh
            FROM workspace_tracked_repositories
            """).first)
        #expect(status.health.totalWorkspaces == (try row.decode("total", as: Int.self)))
        #expect(status.health.successful == (try row.decode("successful", as: Int.self)))
        #expect(status.health.failed == (try row.decode("failed", as: Int.self)))
        #expect(status.health.avgHoursSinceSync == (try row.decode("avg_hours", as: Int?.self)))
        #expect(status.neverSynced == (try row.decode("never", as: Int.self)))
        #expect(status.inactive == (try row.decode("inactive", as: Int.self)))
        #expect(status.runsLastHour == (try row.decode("runs", as: Int.self)))
        #expect(status.failedRunsLastHour == (try row.decode("failed_runs", as: Int.self)))
        #expect(status.issuesLastHour == (try row.decode("issues", as: Int.self)))
        #expect(status.dueNow == (try row.decode("due", as: Int.self)))
        let fresh = try row.decode("fresh", as: Double?.self)
        #expect(status.freshness.map { abs($0 - (fresh ?? .nan)) < 1e-9 } ?? (fresh == nil), "freshness \(String(describing: status.freshness)) counted \(String(describing: fresh))")
    }

    private func expectTierUsageEqualsFullCounts(_ connection: Connection) throws {
        for tier in try TierUsage.fetch(connection) {
            let counted = try #require(try connection.query("""
                SELECT (SELECT count(*) FROM workspaces WHERE tier = \(tier.tier)) AS workspaces,
                       count(wtr.id) AS tracked, count(wtr.id) FILTER (WHERE wtr.is_active) AS active,
                       coalesce(sum(wtr.total_issues_fetched), 0) AS issues
                FROM workspace_tracked_repositories wtr JOIN workspaces w ON w.id = wtr.workspace_id WHERE w.tier = \(tier.tier)
                """).first)
            #expect(tier.workspaces == (try counted.decode("workspaces", as: Int.self)), "\(tier.tier)")
            #expect(tier.repositoriesTracked == (try counted.decode("tracked", as: Int.self)), "\(tier.tier)")
            #expect(tier.activeJobs == (try counted.decode("active", as: Int.self)), "\(tier.tier)")
            #expect(tier.issuesSynced == (try counted.decode("issues", as: Int.self)), "\(tier.tier)")
        }
    }
}
