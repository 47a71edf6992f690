import Foundation
import GitHubSimulator
import Postgres
import Testing
@testable import SyncEngine

@Suite struct PauseAndLeaseTests {
    private func waitForStoredIssues(_ fixture: SyncFixture, _ fullName: String) async throws {
        for _ in 0..<200 where try fixture.storedIssues(fullName).isEmpty {
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    @Test func pauseStopsARunningSyncBetweenPages() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/paused", issueCount: 450, pullRequestEvery: 0)
        try await fixture.simulator.setScenario(.slow(delay: .milliseconds(300)), for: "acme/paused")
        let running = Task { [syncer = fixture.syncer] in try await syncer.sync(job: job) }
        try await waitForStoredIssues(fixture, "acme/paused")
        try fixture.connection.execute("UPDATE wsync.pause SET is_paused = true, reason = 'maintenance'")
        let report = try await running.value
        #expect(report.status == "partial")
        #expect(report.error == "syncing is paused (maintenance)")
        let stored = try fixture.storedIssues("acme/paused").count
        #expect(stored > 0 && stored < 450 && stored % 100 == 0, "whole pages only")
        #expect(try fixture.job(job).leaseOwner == nil)

        await #expect(throws: WSyncError.paused("syncing is paused (maintenance)")) { try await fixture.sync(job: job) }
        try fixture.connection.execute("UPDATE wsync.pause SET is_paused = false, reason = NULL")
        try await fixture.simulator.setScenario(nil, for: "acme/paused")
        #expect(try await fixture.sync(job: job).status == "success")
        #expect(try fixture.storedIssues("acme/paused").count == 450)
    }

    @Test func aRunThatLostItsLeaseWritesNothingMore() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/fenced", issueCount: 450, pullRequestEvery: 0)
        try await fixture.simulator.setScenario(.slow(delay: .milliseconds(300)), for: "acme/fenced")
        let running = Task { [syncer = fixture.syncer] in try await syncer.sync(job: job) }
        try await waitForStoredIssues(fixture, "acme/fenced")
        try fixture.connection.execute("INSERT INTO wsync.workers (id, hostname, pid) VALUES ('thief', 'elsewhere', 1)")
        try fixture.connection.execute("UPDATE workspace_tracked_repositories SET lease_owner = 'thief' WHERE id = \(job)")
        let report = try await running.value
        #expect(report.status == "aborted")
        #expect(report.error?.contains("lease") == true)
        let state = try fixture.job(job)
        #expect(state.leaseOwner == "thief" && state.status == nil, "the new holder's row was not overwritten")
        #expect(try fixture.storedIssues("acme/fenced").count < 450)
    }

    @Test func leasesOfDeadWorkersAreReclaimedButLiveOnesAreNot() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let orphan = try await fixture.track("acme/orphan", issueCount: 10)
        let held = try await fixture.track("acme/held", issueCount: 10)
        try fixture.connection.execute("""
            INSERT INTO wsync.workers (id, hostname, pid, heartbeat_at) VALUES
                ('dead', 'gone', 1, now() - interval '2 hours'), ('alive', 'here', 2, now())
            """)
        for (job, owner) in [(orphan, "dead"), (held, "alive")] {
            try fixture.connection.execute("""
                UPDATE workspace_tracked_repositories SET lease_owner = \(owner), lease_expires_at = now() + interval '1 hour'
                WHERE id = \(job)
                """)
        }
        // Dead after an hour without heartbeat: a busy test machine cannot make 'alive' look dead.
        let options = WorkerOptions(concurrency: 2, once: true, leases: LeaseSettings(deadAfter: .seconds(3600)), rateLimitReserve: 0)
        let worker = SyncWorker(database: fixture.database.configuration, github: fixture.github, options: options,
                                retry: SyncFixture.noWaiting)
        let summary = try await worker.run()
        #expect(summary.runs == 1 && summary.succeeded == 1)
        #expect(try fixture.job(orphan).status == "success")
        #expect(try fixture.job(held).leaseOwner == "alive")
    }

    @Test func workerDoesNotClaimWhilePausedOrBelowTheRateLimitReserve() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/waiting", issueCount: 10)
        func runOnce(reserve: Int) async throws -> WorkerSummary {
            try await SyncWorker(database: fixture.database.configuration, github: fixture.github,
                                 options: WorkerOptions(once: true, rateLimitReserve: reserve), retry: SyncFixture.noWaiting).run()
        }
        try fixture.connection.execute("UPDATE wsync.pause SET is_paused = true")
        #expect(try await runOnce(reserve: 0).runs == 0)
        try fixture.connection.execute("UPDATE wsync.pause SET is_paused = false")
        try fixture.connection.execute("""
            INSERT INTO wsync.rate_limit_observations (limit_total, remaining, used, reset_at, token_fingerprint)
            VALUES (5000, 40, 4960, now() + interval '30 minutes', \(fixture.github.tokens[0].fingerprint))
            """)
        #expect(try await runOnce(reserve: 100).runs == 0)
        #expect(try await runOnce(reserve: 10).runs == 1)
        #expect(try fixture.job(job).status == "success")
    }

    @Test func workerStopsOnBadCredentialsWithoutFailingJobs() async throws {
        let fixture = try await SyncFixture.make(.init(token: "another-token"))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/locked", issueCount: 10)
        let worker = SyncWorker(database: fixture.database.configuration, github: fixture.github,
                                options: WorkerOptions(once: true, rateLimitReserve: 0), retry: SyncFixture.noWaiting)
        await #expect(throws: GitHubError.badCredentials(message: "Bad credentials")) { _ = try await worker.run() }
        let state = try fixture.job(job)
        #expect(state.status == nil && state.attempts == 0 && state.leaseOwner == nil)
    }

    @Test func twoWorkersShareTwoHundredJobsEachSyncedOnce() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        for index in 0..<200 {
            try await fixture.track("load/repo-\(index)", issueCount: 3, pullRequestEvery: 0)
        }
        let workers = (0..<2).map { _ in
            SyncWorker(database: fixture.database.configuration, github: fixture.github,
                       options: WorkerOptions(concurrency: 4, once: true, rateLimitReserve: 0), retry: SyncFixture.noWaiting)
        }
        async let first = workers[0].run()
        async let second = workers[1].run()
        let (a, b) = try await (first, second)
        #expect(a.runs + b.runs == 200)
        #expect(a.runs > 0 && b.runs > 0)
        let perJob = try fixture.connection.query("""
            SELECT count(*) AS runs, bool_and(status = 'success') AS ok FROM wsync.sync_runs GROUP BY job_id
            """)
        #expect(perJob.count == 200)
        #expect(try perJob.allSatisfy { try $0.decode("runs", as: Int.self) == 1 && $0.decode("ok", as: Bool.self) })
        let totals = try fixture.connection.query("""
            SELECT (SELECT count(*) FROM issues)::integer AS issues,
                   (SELECT sum(total_issues_fetched) FROM workspace_tracked_repositories)::integer AS fetched,
                   (SELECT count(*) FROM workspace_tracked_repositories WHERE last_sync_status = 'success')::integer AS ok
            """).first!
        #expect(try totals.decode("issues", as: Int.self) == 600)
        #expect(try totals.decode("ok", as: Int.self) == 200)
        #expect(try totals.decode("fetched", as: Int.self) >= 600)
    }
}
