import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import Testing
import TestSupport

/// PostgreSQL restarted (`pg_ctl restart -m fast`), crashed and restarted (`-m immediate`) and held down for seconds,
/// each while two real `wsync worker` processes sync multi-page repositories and `wsync dash` polls in tmux: the
/// workers reconnect and finish every job exactly once, no run stays `running` and none is called failed (a lost
/// database is not the repository's fault), and the dashboard shows DISCONNECTED and comes back live by itself.
@Suite(.serialized) struct DatabaseRestartTests {
    static let repositories = 16
    static let issues = 250

    /// A cluster of the test's own (restarting the shared one would break every other test), a migrated database
    /// tracking `e2e/repo-N`, the simulator serving them slowly, and helpers.
    private struct World {
        let cluster: ThrowawayCluster
        let database = "restart_test"
        let simulator: GitHubSimulator
        var url: String { cluster.url(database: database) }
        var environment: [String: String?] {
            ["DATABASE_URL": url, "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": SimulatedWorld.token]
        }

        func connect() throws -> Connection { try Connection(cluster.configuration(database: database)) }

        /// A count read on a fresh connection (the server may have restarted since the last one).
        func count(_ sql: SQL) -> Int? { try? connect().query(sql).first?.decode("n", as: Int.self) }
    }

    private func makeWorld() async throws -> World {
        let simulator = try await GitHubSimulator.start(.init(token: SimulatedWorld.token))
        var served: [SimulatedRepository] = []
        for index in 0..<Self.repositories {
            let repository = await simulator.addRepository("e2e/repo-\(index)", issueCount: Self.issues, pullRequestEvery: 0)
            // Three pages and a refresh at 250 ms each: a second per job, so restarts land in the middle of syncs.
            try await simulator.setScenario(.slow(delay: .milliseconds(250)), for: repository.fullName)
            served.append(repository)
        }
        let tracked = served
        let cluster = try await offPool { () -> ThrowawayCluster in
            let cluster = try ThrowawayCluster(prefix: "wsync-restart")
            try Connection(cluster.configuration()).execute("CREATE DATABASE restart_test")
            let connection = try Connection(cluster.configuration(database: "restart_test"))
            _ = try Migrator(connection: connection).migrate()
            let workspace = try SyncSeeding.workspace(connection)
            for repository in tracked {
                _ = try SyncSeeding.track(connection, githubID: repository.id, fullName: repository.fullName, workspace: workspace)
            }
            return cluster
        }
        return World(cluster: cluster, simulator: simulator)
    }

    private func startWorkers(_ world: World) throws -> [WSyncProcess] {
        try (0..<2).map { _ in
            try WSyncProcess(["worker", "--concurrency", "2", "--rate-limit-reserve", "0", "--heartbeat-seconds", "1",
                              "--poll-seconds", "1"], environment: world.environment)
        }
    }

    private func startDashboard(_ world: World) throws -> TmuxSession {
        let session = try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--database-url", world.url, "--interval", "1"],
                                      width: 120, height: 40)
        let (live, screen) = try session.waitFor(timeout: 30) { $0.contains("● live") && $0.contains("5 Tier usage") }
        #expect(live, "the dashboard did not come up:\n\(screen)")
        return session
    }

    /// Waits until the workers are busy in the middle of syncs: some jobs done, some runs open with pages stored.
    private func waitUntilMidway(_ world: World) async throws {
        for _ in 0..<300 {
            if (world.count("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'") ?? 0) >= 2,
               (world.count("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'running'") ?? 0) >= 2 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the workers never got going")
    }

    /// Watches the screen on a thread of its own while `fault` runs; true if DISCONNECTED showed within `timeout`.
    private func watchForDisconnected(_ session: TmuxSession, timeout: TimeInterval, during fault: () throws -> Void) throws -> Bool {
        let seen = Flag()
        let watched = UncheckedBox(session)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline, !seen.isSet {
                if (try? watched.value.screen())?.contains("DISCONNECTED") == true { seen.set() }
                Thread.sleep(forTimeInterval: 0.05)
            }
            done.signal()
        }
        try fault()
        done.wait()
        return seen.isSet
    }

    /// Every job synced once and completely, no run left open or failed, the workers still up and stopping cleanly.
    private func expectRecovered(_ world: World, workers: [WSyncProcess], dashboard: TmuxSession, fault: String) async throws {
        let (back, screen) = try dashboard.waitFor(timeout: 30) { $0.contains("● live") && !$0.contains("DISCONNECTED") }
        #expect(back, "\(fault): the dashboard did not come back live by itself:\n\(screen)")
        let done: SQL = "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success' AND lease_owner IS NULL"
        for _ in 0..<600 where world.count(done) != Self.repositories { try await Task.sleep(for: .milliseconds(100)) }
        #expect(world.count(done) == Self.repositories, "\(fault): not every job finished after the restart")
        for worker in workers {
            #expect(worker.isRunning, "\(fault): a worker died: \(worker.output)")
            worker.signal(SIGTERM)
        }
        for worker in workers { #expect(await worker.exitStatus(timeout: 30) == 0, "\(fault): \(worker.output)") }
        #expect(world.count("SELECT count(*)::int AS n FROM issues") == Self.repositories * Self.issues)
        #expect(world.count("SELECT (count(*) - count(DISTINCT github_id))::int AS n FROM issues") == 0, "\(fault): duplicate issues")
        #expect(world.count("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'running'") == 0, "\(fault): a run stayed running")
        let failed = (try? world.connect().query("SELECT error FROM wsync.sync_runs WHERE status = 'failed'"))?.compactMap {
            try? $0.decode("error", as: String?.self)
        } ?? []
        #expect(failed.isEmpty, "\(fault): runs called failed: \(failed.prefix(3))")
        #expect(world.count("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE sync_attempts > 0") == 0,
                "\(fault): a job was charged an attempt for the database's restart")
        #expect(world.count("SELECT count(*)::int AS n FROM wsync.workers WHERE stopped_at IS NULL") == 0)
        // Only the dashboard's two connections and this count's own remain.
        #expect((world.count("""
            SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'restart_test' AND backend_type = 'client backend'
            """) ?? 99) <= 3, "\(fault): connections left open")
    }

    @Test(arguments: ["fast", "immediate"])
    func pgCtlRestartWhileWorkersSyncAndTheDashboardPolls(mode: String) async throws {
        let world = try await makeWorld()
        defer { world.cluster.stop(); Task { [simulator = world.simulator] in await simulator.stop() } }
        let dashboard = try startDashboard(world)
        defer { dashboard.close() }
        let workers = try startWorkers(world)
        try await waitUntilMidway(world)
        let shown = try watchForDisconnected(dashboard, timeout: 10) { try world.cluster.restartServer(mode: mode) }
        #expect(shown, "pg_ctl restart -m \(mode): the dashboard never showed DISCONNECTED")
        try await expectRecovered(world, workers: workers, dashboard: dashboard, fault: "restart -m \(mode)")
    }

    /// Killed (`-m immediate`) and kept down for three seconds: every worker slot meets refused connections for a
    /// while, runs in progress wait to record their endings, and all of it resumes when the server is back.
    @Test func killedAndKeptDownForSeconds() async throws {
        let world = try await makeWorld()
        defer { world.cluster.stop(); Task { [simulator = world.simulator] in await simulator.stop() } }
        let dashboard = try startDashboard(world)
        defer { dashboard.close() }
        let workers = try startWorkers(world)
        try await waitUntilMidway(world)
        try world.cluster.stopServer()
        let (lost, screen) = try dashboard.waitFor(timeout: 15) { $0.contains("DISCONNECTED") && $0.contains("data as of") }
        #expect(lost, "no DISCONNECTED banner while the server is down:\n\(screen)")
        try await Task.sleep(for: .seconds(3))
        try world.cluster.startServer()
        try await expectRecovered(world, workers: workers, dashboard: dashboard, fault: "down for seconds")
    }
}

/// A crash with `synchronous_commit = off`, or a failover to an asynchronous replica, can lose a worker's last
/// commits: the database again says the live worker holds a job it finished, with its run open. (The restart tests'
/// clusters run with `synchronous_commit = off`, so `-m immediate` does this at random.) Here it is done on purpose:
/// the worker's heartbeat must release the lease and end the run, and the job must be synced again.
@Suite struct ForgottenCommitTests {
    @Test func aLeaseAndARunWhoseEndingTheDatabaseLostAreReleasedByTheirLiveWorker() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 5)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        let worker = try WSyncProcess(["worker", "--rate-limit-reserve", "0", "--heartbeat-seconds", "1", "--poll-seconds", "1"],
                                      environment: world.environment)
        let succeeded: SQL = "SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'success'"
        for _ in 0..<300 where try world.count(succeeded) == 0 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try world.count(succeeded) == 1)
        // What the database looks like after losing the run's ending: leased to the worker, run open, not due.
        _ = try world.connection.execute("""
            WITH job AS (
                UPDATE workspace_tracked_repositories SET lease_owner = w.id, lease_expires_at = now() + interval '1 hour',
                    last_attempt_at = now() - interval '1 minute', next_sync_at = now() - interval '1 minute'
                FROM wsync.workers w WHERE w.stopped_at IS NULL
                RETURNING workspace_tracked_repositories.id, workspace_id, tracked_repository_id, w.id AS worker
            )
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, started_at)
            SELECT job.id, job.workspace_id, tr.repository_id, job.worker, now() - interval '1 minute'
            FROM job JOIN tracked_repositories tr ON tr.id = job.tracked_repository_id
            """)
        let ended: SQL = "SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'aborted'"
        for _ in 0..<300 where try world.count(ended) == 0 || world.count(succeeded) < 2 { try await Task.sleep(for: .milliseconds(50)) }
        worker.signal(SIGTERM)
        #expect(await worker.exitStatus() == 0, "\(worker.output)")
        let runs = try world.connection.query("SELECT status, error FROM wsync.sync_runs ORDER BY id")
        #expect(try runs.map { try $0.decode("status", as: String.self) } == ["success", "aborted", "success"])
        #expect(try runs[1].decode("error", as: String?.self)?.contains("no longer runs it") == true)
        #expect(try world.count("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE lease_owner IS NULL") == 1)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Hands a non-Sendable value to one other thread that alone uses it meanwhile.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
