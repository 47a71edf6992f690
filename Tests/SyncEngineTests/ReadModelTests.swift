import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// Each read model against a seeded spread of states, compared with an independent SQL computation on the same data.
@Suite struct ReadModelTests {
    @Test(arguments: DatabaseShape.allCases) func seedCoversEveryState(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let row = try connection.scalarRow("""
            SELECT count(*) FILTER (WHERE last_sync_status = 'failed') AS failed,
                   count(*) FILTER (WHERE last_sync_status = 'partial') AS partial,
                   count(*) FILTER (WHERE last_sync_at IS NULL) AS never,
                   count(*) FILTER (WHERE NOT is_active) AS inactive,
                   count(*) FILTER (WHERE lease_expires_at > now()) AS leased,
                   count(*) FILTER (WHERE lease_expires_at <= now()) AS expired,
                   count(*) AS jobs, (SELECT count(*) FROM workspaces) AS workspaces
            FROM workspace_tracked_repositories
            """)
        for column in ["failed", "partial", "never", "inactive", "leased", "expired"] {
            #expect(try row.decode(column, as: Int.self) > 0, "no \(column) rows")
        }
        #expect(try row.decode("workspaces", as: Int.self) == 40)
        #expect((250...320).contains(try row.decode("jobs", as: Int.self)))
    }

    @Test(arguments: DatabaseShape.allCases) func healthEqualsTheGuidesQuery(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let status = try SyncStatus.fetch(connection)
        let guide = try connection.scalarRow("""
            SELECT COUNT(*) as total_workspaces,
              COUNT(*) FILTER (WHERE last_sync_status = 'success') as successful,
              COUNT(*) FILTER (WHERE last_sync_status = 'failed') as failed,
              AVG(EXTRACT(EPOCH FROM (NOW() - last_sync_at))/3600)::INT as avg_hours_since_sync
            FROM workspace_tracked_repositories
            WHERE is_active = TRUE
            """)
        #expect(status.health.totalWorkspaces == (try guide.decode("total_workspaces", as: Int.self)))
        #expect(status.health.successful == (try guide.decode("successful", as: Int.self)))
        #expect(status.health.failed == (try guide.decode("failed", as: Int.self)))
        #expect(status.health.avgHoursSinceSync == (try guide.decode("avg_hours_since_sync", as: Int?.self)))
    }

    @Test(arguments: DatabaseShape.allCases) func healthJSONHasExactlyTheGuidesFourFields(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let data = try PostgresJSON.encoder.encode(try SyncStatus.fetch(connection))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let health = try #require(object["health"] as? [String: Any])
        #expect(Set(health.keys) == ["total_workspaces", "successful", "failed", "avg_hours_since_sync"])
    }

    @Test(arguments: DatabaseShape.allCases) func statusExtrasEqualIndependentCounts(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let status = try SyncStatus.fetch(connection)
        let row = try connection.scalarRow("""
            SELECT
              (SELECT count(*) FROM workspace_tracked_repositories WHERE is_active AND last_sync_status = 'partial') AS partial,
              (SELECT count(*) FROM workspace_tracked_repositories WHERE is_active AND last_sync_at IS NULL) AS never,
              (SELECT count(*) FROM workspace_tracked_repositories WHERE is_active IS NOT TRUE) AS inactive,
              (SELECT count(*) FROM workspace_tracked_repositories WHERE is_active AND next_sync_at <= now()
                  AND NOT (lease_owner IS NOT NULL AND lease_expires_at > now())) AS due,
              (SELECT count(*) FROM workspace_tracked_repositories WHERE lease_owner IS NOT NULL AND lease_expires_at > now()) AS leased,
              (SELECT avg(CASE WHEN last_sync_status = 'success' AND last_sync_at >= now() - make_interval(hours => coalesce(sync_frequency_hours, 24))
                               THEN 1.0 ELSE 0.0 END)
                 FROM workspace_tracked_repositories WHERE is_active)::float8 AS freshness,
              (SELECT count(*) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour') AS runs,
              (SELECT count(*) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour' AND status = 'failed') AS failed_runs,
              (SELECT coalesce(sum(issues_stored), 0) FROM wsync.sync_runs WHERE started_at > now() - interval '1 hour') AS issues
            """)
        #expect(status.partial == (try row.decode("partial", as: Int.self)))
        #expect(status.neverSynced == (try row.decode("never", as: Int.self)))
        #expect(status.inactive == (try row.decode("inactive", as: Int.self)))
        #expect(status.dueNow == (try row.decode("due", as: Int.self)))
        #expect(status.syncingNow == (try row.decode("leased", as: Int.self)))
        let freshness = try row.decode("freshness", as: Double.self)
        #expect(abs((status.freshness ?? -1) - freshness) < 1e-9)
        #expect(status.runsLastHour == (try row.decode("runs", as: Int.self)))
        #expect(status.failedRunsLastHour == (try row.decode("failed_runs", as: Int.self)))
        #expect(status.issuesLastHour == (try row.decode("issues", as: Int.self)))
        #expect(status.throughput.count == 12)
        #expect(status.throughput.map(\.bucketStart) == status.throughput.map(\.bucketStart).sorted())
        for bucket in status.throughput {
            let counted = try connection.query("""
                SELECT count(*)::int AS runs, (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
                       coalesce(sum(issues_stored), 0)::int AS issues
                FROM wsync.sync_runs WHERE started_at >= \(bucket.bucketStart)::timestamptz AND started_at < \(bucket.bucketStart)::timestamptz + interval '5 minutes'
                """)[0]
            #expect(bucket.runs == (try counted.decode("runs", as: Int.self)), "\(bucket.bucketStart)")
            #expect(bucket.failedRuns == (try counted.decode("failed", as: Int.self)))
            #expect(bucket.issues == (try counted.decode("issues", as: Int.self)))
        }
        #expect(status.throughput.map(\.runs).reduce(0, +) > 0)
        #expect(status.runsLastHour > 0)
        #expect(!status.pause.isPaused)
    }

    @Test(arguments: DatabaseShape.allCases) func failedEqualsTheGuidesQueryMostAttemptsFirst(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let failed = try FailedSync.fetch(connection)
        let guide = try connection.query("""
            -- The guide's query, read as it means: a NULL attempt count is no attempts (its ORDER BY … DESC would
            -- put those first). Ties go to the latest failure, then the job id, as wsync lists them.
            SELECT w.name as workspace, r.full_name as repository, wtr.last_sync_error,
                   coalesce(wtr.sync_attempts, 0) AS sync_attempts
            FROM workspace_tracked_repositories wtr
            JOIN workspaces w ON w.id = wtr.workspace_id
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id
            WHERE wtr.last_sync_status = 'failed'
            ORDER BY coalesce(wtr.sync_attempts, 0) DESC, wtr.last_attempt_at DESC NULLS LAST, wtr.id
            """)
        #expect(!failed.isEmpty)
        #expect(failed.map(\.repository) == (try guide.map { try $0.decode("repository", as: String.self) }))
        #expect(failed.map(\.syncAttempts) == (try guide.map { try $0.decode("sync_attempts", as: Int.self) }))
        #expect(failed.map(\.lastSyncError) == (try guide.map { try $0.decode("last_sync_error", as: String?.self) }))
        // A limit lists the first rows of the same order.
        for limit in [1, 7, failed.count] {
            #expect(try FailedSync.fetch(connection, limit: limit) == Array(failed.prefix(limit)), "limit \(limit)")
        }
        let workspace = failed[0].workspaceId
        let ofWorkspace = try FailedSync.fetch(connection, workspace: workspace)
        #expect(ofWorkspace == failed.filter { $0.workspaceId == workspace })
    }

    @Test(arguments: DatabaseShape.allCases) func stuckIsTheGuidesQueryOldestFirst(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        // In one transaction, so both compare with the same now().
        let (stuck, expected) = try connection.transaction { c in
            (try StuckSync.fetch(c, olderThan: .hours(2), limit: 1000),
             // The guide's query, ordered oldest first as wsync lists it.
             try c.query("""
                SELECT wtr.id FROM workspace_tracked_repositories wtr
                JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                JOIN repositories r ON r.id = tr.repository_id
                WHERE wtr.next_sync_at < NOW() - INTERVAL '2 hours' AND wtr.is_active = TRUE
                ORDER BY wtr.next_sync_at, wtr.id  -- ties by job id, as wsync lists them
                """))
        }
        #expect(!expected.isEmpty)
        #expect(stuck.map(\.jobId) == (try expected.map { try $0.decode("id", as: UUID.self) }))
        #expect(try StuckSync.fetch(connection).count == min(10, expected.count))
    }

    @Test(arguments: DatabaseShape.allCases) func theDashboardsStuckListAddsExpiredLeases(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        // One transaction, so both read the same now(): a seeded lease that runs out between two statements (seen
        // on a slow run) would otherwise be expired for one and live for the other.
        let limits = [1, 5, 50]
        let (stuck, expected, limited) = try connection.transaction { c in
            (try StuckSync.fetch(c, olderThan: .hours(2), limit: 1000, includeExpiredLeases: true),
             try c.query("""
                SELECT wtr.id FROM workspace_tracked_repositories wtr
                JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                JOIN repositories r ON r.id = tr.repository_id
                WHERE wtr.is_active AND (wtr.next_sync_at < now() - interval '2 hours'
                                         OR (wtr.lease_owner IS NOT NULL AND wtr.lease_expires_at <= now()
                                             AND (wtr.next_sync_at IS NULL OR wtr.next_sync_at <= now())))
                ORDER BY wtr.next_sync_at NULLS FIRST, wtr.id
                """),
             try limits.map { try StuckSync.fetch(c, olderThan: .hours(2), limit: $0, includeExpiredLeases: true) })
        }
        #expect(stuck.map(\.jobId) == (try expected.map { try $0.decode("id", as: UUID.self) }))
        for (limit, rows) in zip(limits, limited) {
            #expect(rows.map(\.jobId) == Array(stuck.prefix(limit).map(\.jobId)), "limit \(limit)")
        }
        #expect(stuck.contains { $0.reason == .leaseExpired })
        #expect(stuck.contains { $0.reason == .overdue })
    }

    /// A lease that expired on a row not yet due holds nothing up (any worker takes the row when it is due): it is
    /// not stuck. Once the row is due, the expired lease is why it is stuck, before it counts as overdue.
    @Test(arguments: DatabaseShape.allCases) func anExpiredLeaseIsStuckOnlyOnceItsRowIsDue(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let job: UUID = try connection.query("""
            UPDATE workspace_tracked_repositories SET lease_owner = 'gone-worker', lease_expires_at = now() - interval '5 minutes',
                next_sync_at = now() + interval '3 hours'
            WHERE id = (SELECT id FROM workspace_tracked_repositories WHERE is_active ORDER BY id LIMIT 1)
            RETURNING id
            """)[0].decode("id")
        #expect(try StuckSync.fetch(connection, limit: 1000, includeExpiredLeases: true).first { $0.jobId == job } == nil)
        try connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() - interval '1 minute' WHERE id = \(job)")
        let row = try #require(try StuckSync.fetch(connection, limit: 1000, includeExpiredLeases: true).first { $0.jobId == job })
        #expect(row.reason == .leaseExpired && row.leaseOwner == "gone-worker")
        #expect(row.overdueHours.map { $0 < 0.1 } == true, "due a minute ago: \(String(describing: row.overdueHours))")
    }

    /// A row long overdue whose worker's lease also ran out is both kinds of stuck: it is listed once, for its lease.
    @Test(arguments: DatabaseShape.allCases) func aRowStuckBothWaysIsListedOnce(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let job: UUID = try connection.query("""
            UPDATE workspace_tracked_repositories SET lease_owner = 'gone-worker', lease_expires_at = now() - interval '10 minutes',
                next_sync_at = now() - interval '3 hours'
            WHERE id = (SELECT id FROM workspace_tracked_repositories WHERE is_active ORDER BY id LIMIT 1)
            RETURNING id
            """)[0].decode("id")
        let listed = try StuckSync.fetch(connection, olderThan: .hours(2), limit: 1000, includeExpiredLeases: true).filter { $0.jobId == job }
        #expect(listed.map(\.reason) == [.leaseExpired])
    }

    /// Production tables may allow NULLs the contract does not: names fall back, other gaps are named plainly.
    @Test(arguments: DatabaseShape.allCases) func nullsOutsideTheContractAreNamedOrWorkedAround(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let target = try #require(try FailedSync.fetch(connection).first)
        try connection.executeScript("ALTER TABLE workspaces ALTER name DROP NOT NULL, ALTER max_repositories DROP NOT NULL")
        _ = try connection.execute("UPDATE workspaces SET name = NULL, max_repositories = NULL WHERE id = \(target.workspaceId)")
        let slug: String = try connection.query("SELECT slug FROM workspaces WHERE id = \(target.workspaceId)")[0].decode("slug")
        #expect(try FailedSync.fetch(connection).first { $0.jobId == target.jobId }?.workspace == slug)
        let error = #expect(throws: PostgresError.self) { try TierReview.fetch(connection) }
        #expect(error?.description.contains("max_repositories is NULL") == true, "\(String(describing: error))")
    }

    @Test(arguments: DatabaseShape.allCases) func rateLimitGaugeBurnsFromObservations(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let gauge = try RateLimitGauge.fetch(connection)
        // The seed observes 45 calls per minute for 20 minutes; the window is the last 15 of them.
        #expect(gauge.limit == 5000)
        #expect(gauge.used == 2100)
        #expect(gauge.remaining == 2900)
        let burn = try #require(gauge.burnPerMinute)
        #expect(abs(burn - 45) < 0.01)
        let exhaustion = try #require(gauge.projectedExhaustionAt)
        let observed = try #require(gauge.observedAt)
        #expect(abs(exhaustion.timeIntervalSince(observed) - 2900.0 / 45 * 60) < 1)
        #expect(gauge.exhaustsBeforeReset == (exhaustion < gauge.resetAt!))
        #expect((gauge.observationAgeSeconds ?? -1) >= 0)
    }

    @Test(arguments: DatabaseShape.allCases) func rateLimitGaugeWithoutObservationsIsEmpty(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.execute("DELETE FROM wsync.rate_limit_observations")
        let gauge = try RateLimitGauge.fetch(connection)
        #expect(gauge.limit == nil && gauge.burnPerMinute == nil && gauge.projectedExhaustionAt == nil)
        #expect(!gauge.exhaustsBeforeReset)
    }

    @Test(arguments: DatabaseShape.allCases) func tierUsageMatchesExactArithmetic(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let tiers = try TierUsage.fetch(connection)
        #expect(tiers.map(\.tier) == shape.tiers)
        for tier in tiers {
            let row = try connection.scalarRow("""
                SELECT (SELECT count(*) FROM workspaces WHERE tier = \(tier.tier)) AS workspaces,
                       (SELECT coalesce(sum(max_repositories), 0) FROM workspaces WHERE tier = \(tier.tier)) AS allowed,
                       count(wtr.id) AS tracked, coalesce(sum(wtr.total_issues_fetched), 0) AS issues,
                       coalesce(sum(24.0 / wtr.sync_frequency_hours * 30) FILTER (WHERE wtr.is_active), 0)::float8 AS syncs
                FROM workspace_tracked_repositories wtr JOIN workspaces w ON w.id = wtr.workspace_id
                WHERE w.tier = \(tier.tier)
                """)
            #expect(tier.workspaces == (try row.decode("workspaces", as: Int.self)))
            #expect(tier.repositoriesAllowed == (try row.decode("allowed", as: Int.self)))
            #expect(tier.repositoriesTracked == (try row.decode("tracked", as: Int.self)))
            #expect(tier.issuesSynced == (try row.decode("issues", as: Int.self)))
            let syncs = try row.decode("syncs", as: Double.self)
            #expect(abs(tier.estimatedMonthlySyncs - syncs) < 1e-6)
            #expect(abs(tier.estimatedMonthlyApiCalls - syncs * 5) < 1e-6)
        }
    }

    @Test func monthlyEstimatesAreNotTruncated() throws {
        let connection = try TestDatabase.create().connect()
        try Fixture.jobs(connection, frequencies: [48, 7])
        let free = try #require(try TierUsage.fetch(connection).last)
        // The guide's integer division gives 24/48*30 = 0 and 24/7*30 = 90; exactly it is 15 + 102.857…
        #expect(abs(free.estimatedMonthlySyncs - (15 + 720.0 / 7)) < 1e-9)
        #expect(abs(free.estimatedMonthlyApiCalls - 5 * (15 + 720.0 / 7)) < 1e-9)
    }

    @Test(arguments: DatabaseShape.allCases) func recentRunsOfOneJobNewestFirst(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let job = try connection.scalarRow("SELECT job_id FROM wsync.sync_runs GROUP BY job_id ORDER BY count(*) DESC, job_id LIMIT 1")
            .decode("job_id", as: UUID.self)
        let runs = try SyncRun.recent(connection, job: job, limit: 2)
        let expected = try connection.query("SELECT id FROM wsync.sync_runs WHERE job_id = \(job) ORDER BY started_at DESC, id DESC LIMIT 2")
        #expect(runs.map(\.id) == (try expected.map { try $0.decode("id", as: Int64.self) }))
        #expect(runs.allSatisfy { $0.jobId == job })
    }

    @Test(arguments: DatabaseShape.allCases) func snapshotIsEveryPaneInOneStatement(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        _ = try Operations(connection: connection, actor: "tester").slowDown()
        let snapshot = try DashboardSnapshot.fetch(connection)
        #expect(snapshot.status == (try SyncStatus.fetch(connection)).with(throughputOf: snapshot.status))
        #expect(snapshot.failed == (try FailedSync.fetch(connection, limit: 200)))
        #expect(snapshot.stuck == (try StuckSync.fetch(connection, olderThan: .hours(2), limit: 50, includeExpiredLeases: true)).with(overdueOf: snapshot.stuck))
        #expect(snapshot.tiers == (try TierUsage.fetch(connection)))
        #expect(snapshot.rateLimit.used == (try RateLimitGauge.fetch(connection)).used)
        #expect(DashboardSnapshot.statement(options: .init()).text.components(separatedBy: ";").count == 1)
    }

    @Test func aRefreshShowsEveryChangeAndTheTimeOfEachRead() throws {
        let database = try TestDatabase.create(shape: .production)
        let connection = try database.connect()
        try SyncSeeding.demo(connection)
        let first = try DashboardSnapshot.fetch(connection)
        let quiet = try DashboardSnapshot.fetch(connection)
        #expect(quiet.takenAt > first.takenAt)
        #expect(quiet.failed == first.failed && quiet.tiers == first.tiers)
        // A write by another session (the app, psql) between two refreshes shows in the next one.
        let other = try database.connect()
        let failing = try #require(try other.query("""
            SELECT id FROM workspace_tracked_repositories WHERE last_sync_status IS DISTINCT FROM 'failed' ORDER BY id LIMIT 1
            """).first).decode("id", as: UUID.self)
        try other.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 999,
                   last_sync_error = 'written elsewhere' WHERE id = \(failing)
            """)
        let changed = try DashboardSnapshot.fetch(connection)
        #expect(changed.failed.first?.jobId == failing)
        #expect(changed.failed.first?.lastSyncError == "written elsewhere")
        #expect(changed.failedTotal == first.failedTotal + 1)
        #expect(changed.takenAt > quiet.takenAt)
    }
}

private extension Connection {
    func scalarRow(_ sql: SQL) throws -> Row {
        try #require(try query(sql).first)
    }
}

private extension SyncStatus {
    /// Two reads a moment apart agree on everything but the clock-bucketed series.
    func with(throughputOf other: SyncStatus) -> SyncStatus {
        var copy = self
        copy.throughput = other.throughput
        return copy
    }
}

private extension Array where Element == StuckSync {
    /// `overdue_hours` moves with the clock between two reads.
    func with(overdueOf other: [StuckSync]) -> [StuckSync] {
        zip(self, other).map { mine, theirs in
            var copy = mine
            copy.overdueHours = theirs.overdueHours
            return copy
        }
    }
}
