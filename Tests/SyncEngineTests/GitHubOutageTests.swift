import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

/// A whole hour (and a whole day) of 5xx from GitHub never leaves a healthy repository failed for long after GitHub
/// is back: a failure that is GitHub's (5xx, timeout, network) backs off to at most `FailureBackoff.unavailableCap`
/// (30 min, ±25 % jitter), while a repository's own failures still back off to the 6-hour cap. Checked by the clock
/// (the engine's own backoff SQL evaluated for thousands of jobs through a simulated outage) and live (a worker
/// against the simulator answering 502 to everything, with the same backoff scaled down 1,200-fold).
@Suite struct GitHubOutageTests {
    /// Simulates `jobs` jobs, each first tried at a random moment of an outage of `outage` seconds, every try during
    /// the outage failing and rescheduled by `delay` (the engine's SQL, over a column `sync_attempts`); returns how
    /// long after the outage's end each job's first successful try came, worst first.
    private func lateness(outage: Double, jobs: Int, delay: SQL, _ connection: Connection) throws -> [Double] {
        try connection.execute("DROP TABLE IF EXISTS pg_temp.outage")
        try connection.execute("""
            CREATE TEMP TABLE outage AS
            SELECT g AS id, 0 AS sync_attempts, random() * \(outage) AS t FROM generate_series(1, \(jobs)) g
            """)
        var rounds = 0
        while try connection.execute("""
            UPDATE outage SET t = t + extract(epoch FROM \(delay)), sync_attempts = sync_attempts + 1 WHERE t < \(outage)
            """) > 0 {
            rounds += 1
            #expect(rounds < 200, "the simulated jobs never got past the outage")
            if rounds >= 200 { break }
        }
        return try connection.query("SELECT t - \(outage) AS late FROM outage ORDER BY late DESC").map { try $0.decode("late") }
    }

    @Test func anHourOf5xxByTheClockLeavesNoHealthyRepositoryFailedMoreThanTheCap() throws {
        let connection = try TestDatabase.create().connect()
        let backoff = FailureBackoff()
        let bound = backoff.unavailableCap.seconds * 1.25
        for outage in [3600.0, 24 * 3600.0] {
            let late = try lateness(outage: outage, jobs: 2_000, delay: backoff.unavailableDelay, connection)
            #expect(late.count == 2_000)
            #expect((late.first ?? .infinity) <= bound + 0.001,
                    "after \(Int(outage / 3600)) h of 5xx a job was retried \(Int(late.first ?? 0)) s after GitHub came back (cap \(Int(bound)) s)")
        }
        // Under the repository failures' 6-hour cap instead, the same hour leaves jobs failed for longer than the
        // bound (about 50 minutes at worst): the cap for GitHub's failures is what makes the difference.
        let uncapped = try lateness(outage: 3600, jobs: 2_000, delay: backoff.delay, connection)
        #expect((uncapped.first ?? 0) > bound, "the repository cap's worst case: \(Int(uncapped.first ?? 0)) s")
        // And a repository's own failures still reach that cap.
        let waits = try connection.query("""
            SELECT extract(epoch FROM \(backoff.delay))::float8 AS wait FROM (SELECT 30 AS sync_attempts) s
            """).map { try $0.decode("wait", as: Double.self) }
        #expect(waits.allSatisfy { $0 >= backoff.cap.seconds * 0.75 && $0 <= backoff.cap.seconds * 1.25 }, "\(waits)")
    }

    /// The live version: "an hour" of 502 from every repository with the backoff scaled 1,200-fold (5 min → 250 ms,
    /// 30 min → 1.5 s, 6 h → 18 s; an hour is five failures in a row). While it lasts, every failure the worker records schedules the
    /// next try at most the scaled cap (with jitter) later — read from the job rows, where one statement writes both
    /// times — and the waits reach the cap; once GitHub is back every repository is synced.
    @Test func aWorkerThroughAScaledHourOf5xxBacksOffNoFurtherThanTheCap() async throws {
        let fixture = try await SyncFixture.make(requestTimeout: 30)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        var jobs: [UUID] = []
        for index in 0..<8 {
            jobs.append(try await fixture.track("outage/repo-\(index)", issueCount: 3, pullRequestEvery: 0))
            try await fixture.simulator.setScenario(.serverError(delay: .zero), for: "outage/repo-\(index)")
        }
        let backoff = FailureBackoff(base: .milliseconds(250), cap: .seconds(18), unavailableCap: .milliseconds(1500))
        let retry = RetryPolicy(maxServerRetries: 3, serverBackoff: .milliseconds(10), maxServerBackoff: .milliseconds(40))
        let worker = SyncWorker(
            database: fixture.database.configuration, github: fixture.github,
            options: WorkerOptions(concurrency: 4, idlePoll: .milliseconds(100), rateLimitReserve: 0, backoff: backoff),
            retry: retry
        )
        let running = Task { try await worker.run() }
        // Every failure's scheduled wait, as the job row holds it until the next try. The outage lasts until every
        // job has failed 5 times: 0.25 + 0.5 + 1 + 1.5 s of waits at least, "an hour" at this scale, however slowly a
        // busy machine runs the worker.
        var waits: [Int: [Double]] = [:]
        let fiveFailures: SQL = "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE sync_attempts >= 5"
        for _ in 0..<3000 where try fixture.connection.query(fiveFailures)[0].decode("n", as: Int.self) < jobs.count {
            for row in try fixture.connection.query("""
                SELECT sync_attempts, extract(epoch FROM next_sync_at - last_sync_at)::float8 AS wait
                FROM workspace_tracked_repositories WHERE last_sync_status = 'failed'
                """) {
                waits[try row.decode("sync_attempts"), default: []].append(try row.decode("wait"))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        for index in 0..<8 { try await fixture.simulator.setScenario(nil, for: "outage/repo-\(index)") }
        let synced: SQL = "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'"
        for _ in 0..<1200 where try fixture.connection.query(synced)[0].decode("n", as: Int.self) < jobs.count {
            try await Task.sleep(for: .milliseconds(50))
        }
        worker.stop.set()
        let summary = try await running.value
        #expect(try fixture.connection.query(synced)[0].decode("n", as: Int.self) == jobs.count, "not every job recovered")

        let longest = waits.values.flatMap { $0 }.max() ?? 0
        #expect(longest <= 1.5 * 1.25 + 0.01, "a failure was rescheduled \(longest) s later, beyond the scaled cap")
        // A row at 4 attempts waits what its 4th failure scheduled, 0.25 · 2^3 = 2 s uncapped: seeing such rows
        // proves the cap was what held.
        let capped = waits.filter { $0.key >= 4 }.values.flatMap { $0 }
        #expect(!capped.isEmpty, "no job failed often enough to reach the cap: \(waits.keys.sorted())")
        #expect(capped.allSatisfy { $0 >= 1.5 * 0.75 - 0.01 }, "capped waits: \(capped.prefix(5))")
        let failedRuns = try fixture.connection.query("""
            SELECT job_id, count(*)::int AS n FROM wsync.sync_runs WHERE status = 'failed' GROUP BY job_id
            """)
        #expect(failedRuns.count == jobs.count, "every job was tried during the outage")
        #expect(try failedRuns.allSatisfy { try $0.decode("n", as: Int.self) >= 2 }, "and retried: the backoff kept going")
        #expect(try fixture.connection.query("""
            SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'failed' AND error NOT LIKE '%server error 502%'
            """)[0].decode("n", as: Int.self) == 0)
        #expect(summary.failed >= 2 * jobs.count && summary.succeeded == jobs.count)
    }
}
