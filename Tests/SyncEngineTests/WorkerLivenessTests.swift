import Foundation
import GitHubSimulator
import Postgres
import Testing
@testable import SyncEngine

/// Workers' heartbeats as on-call reads them: who is alive, and why due jobs wait.
@Suite struct WorkerLivenessTests {
    /// A worker that polls and heartbeats every second, so its reports follow the database closely.
    private func startWorker(_ fixture: SyncFixture, concurrency: Int = 1, reserve: Int = 100) -> (SyncWorker, Task<WorkerSummary, Error>) {
        let options = WorkerOptions(
            concurrency: concurrency, leases: LeaseSettings(heartbeat: .seconds(1)), idlePoll: .milliseconds(200),
            rateLimitReserve: reserve
        )
        let worker = SyncWorker(database: fixture.database.configuration, github: fixture.github, options: options, retry: SyncFixture.noWaiting)
        return (worker, Task { try await worker.run() })
    }

    /// Waits for a heartbeat written after `since` (database clock), i.e. one that reports what the worker did
    /// after a change the test made.
    private func waitForHeartbeat(_ fixture: SyncFixture, after since: Date) async throws {
        for _ in 0..<300 {
            let fresh: Bool = try fixture.connection.query("""
                SELECT count(*) > 0 AS fresh FROM wsync.workers WHERE stopped_at IS NULL AND heartbeat_at > \(since)
                """)[0].decode("fresh")
            if fresh { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no heartbeat after \(since)")
    }

    private func databaseNow(_ fixture: SyncFixture) throws -> Date {
        try fixture.connection.query("SELECT now() AS now")[0].decode("now")
    }

    private func runs(_ fixture: SyncFixture) throws -> Int {
        try fixture.connection.query("SELECT count(*)::int AS n FROM wsync.sync_runs")[0].decode("n")
    }

    @Test func aPausedSystemAndAnExhaustedReserveAreNamedAsTheReasonNothingIsClaimed() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/waiting", issueCount: 5, pullRequestEvery: 0)
        try fixture.connection.execute("UPDATE wsync.pause SET is_paused = true, reason = 'GitHub incident', paused_by = 'oncall'")

        let nobody = try WorkerReport.fetch(fixture.connection)
        #expect(nobody.claimBlockers.map(\.reason) == [.globalPause, .noWorkerAlive])
        #expect(nobody.dueNow == 1)

        let (worker, running) = startWorker(fixture, reserve: 100)
        try await waitForHeartbeat(fixture, after: try databaseNow(fixture))
        let paused = try WorkerReport.fetch(fixture.connection)
        #expect(paused.workers.map(\.state) == [.alive])
        #expect(paused.workers.first?.version == WSyncVersion.current)
        #expect(paused.workers.first?.rateLimitReserve == 100)
        #expect(paused.claimBlockers.map(\.reason) == [.globalPause])
        #expect(paused.claimBlockers.first?.message == "syncing is paused (GitHub incident) by oncall: wsync resume lifts it")
        #expect(try runs(fixture) == 0)

        // The pause lifts and, in the same instant, GitHub reports 5 requests left on the worker's only token until a
        // reset 10 minutes away.
        let reset = try databaseNow(fixture).addingTimeInterval(600)
        let token = try #require(fixture.github.tokens.first)
        try fixture.connection.transaction { c in
            try c.execute("UPDATE wsync.pause SET is_paused = false, reason = NULL, paused_by = NULL")
            try c.execute("""
                INSERT INTO wsync.rate_limit_observations (resource, limit_total, remaining, used, reset_at, token_fingerprint)
                VALUES ('core', 5000, 5, 4995, \(reset), \(token.fingerprint))
                """)
        }
        try await waitForHeartbeat(fixture, after: try databaseNow(fixture))
        let reserved = try WorkerReport.fetch(fixture.connection)
        #expect(reserved.claimBlockers.map(\.reason) == [.rateLimitReserve])
        #expect(reserved.claimBlockers.first?.message.contains("5 requests left over 1 tokens") == true, "\(reserved)")
        let until = try #require(reserved.claimBlockers.first?.until)
        #expect(abs(until.timeIntervalSince(reset)) < 0.001)
        #expect(try runs(fixture) == 0)
        #expect(try fixture.job(job).leaseOwner == nil)

        // A fresh window: the worker claims and syncs, and nothing blocks any more.
        try fixture.connection.execute("DELETE FROM wsync.rate_limit_observations")
        for _ in 0..<300 where try fixture.job(job).status != "success" {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try fixture.job(job).status == "success")
        #expect(try WorkerReport.fetch(fixture.connection).claimBlockers.isEmpty)
        worker.stop.set()
        _ = try await running.value
        let stopped = try WorkerReport.fetch(fixture.connection)
        #expect(stopped.workers.map(\.state) == [.stopped])
        #expect(stopped.claimBlockers.map(\.reason) == [.noWorkerAlive])
    }

    @Test func busySlotsAreNamedWhileMoreJobsAreDue() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        try await fixture.track("acme/slow-1", issueCount: 450, pullRequestEvery: 0)
        try await fixture.track("acme/slow-2", issueCount: 450, pullRequestEvery: 0)
        for name in ["acme/slow-1", "acme/slow-2"] {
            try await fixture.simulator.setScenario(.slow(delay: .milliseconds(500)), for: name)
        }
        let (worker, running) = startWorker(fixture, concurrency: 1, reserve: 0)
        var report = try WorkerReport.fetch(fixture.connection)
        for _ in 0..<300 where report.workers.first?.currentJobs != 1 {
            try await Task.sleep(for: .milliseconds(50))
            report = try WorkerReport.fetch(fixture.connection)
        }
        #expect(report.workers.first?.currentJobs == 1)
        #expect(report.claimBlockers.map(\.reason) == [.allWorkersBusy])
        #expect(report.claimBlockers.first?.message == "all 1 slots of 1 live workers are busy and 1 more jobs are due")
        worker.stop.set()
        _ = try await running.value
    }

    @Test func theStatusReadModelCarriesWorkersAndBlockers() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        try fixture.connection.execute("""
            INSERT INTO wsync.workers (id, hostname, pid, concurrency, version, heartbeat_at, started_at, last_progress_at)
            VALUES ('worker:gone:1:aaaa', 'gone', 1, 2, '0.0.9', now() - interval '5 minutes', now() - interval '1 hour', now() - interval '5 minutes'),
                   ('worker:stuck:2:bbbb', 'stuck', 2, 2, '0.0.9', now(), now() - interval '2 hours', now() - interval '10 minutes'),
                   ('manual:here:3:cccc', 'here', 3, 1, '0.0.9', now(), now(), now())
            """)
        let status = try SyncStatus.fetch(fixture.connection)
        #expect(status.workers.map(\.hostname) == ["gone", "stuck"], "manual syncs are not workers; newest first")
        #expect(status.workers.map(\.state) == [.dead, .hung])
        #expect(status.claimBlockers.map(\.message) == ["no worker is alive (1 hung, 1 dead): start wsync worker"])
    }

    @Test func heartbeatsPruneWorkersGoneForADay() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        try fixture.connection.execute("""
            INSERT INTO wsync.workers (id, hostname, pid, heartbeat_at, stopped_at)
            VALUES ('worker:old:1:aaaa', 'old', 1, now() - interval '25 hours', NULL),
                   ('worker:recent:2:bbbb', 'recent', 2, now() - interval '23 hours', now() - interval '23 hours')
            """)
        try JobLeases.register(fixture.connection, id: "worker:self:3:cccc", concurrency: 1, rateLimitReserve: 0)
        try JobLeases.heartbeat(fixture.connection, id: "worker:self:3:cccc", settings: LeaseSettings(),
                                progress: .init(currentJobs: 0, secondsSinceProgress: 0))
        let left: [String] = try fixture.connection.query("SELECT id FROM wsync.workers ORDER BY id").map { try $0.decode("id") }
        #expect(left == ["worker:recent:2:bbbb", "worker:self:3:cccc"])
    }
}
