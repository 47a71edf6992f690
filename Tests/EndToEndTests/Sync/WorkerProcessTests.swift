import Foundation
import SyncEngine
import GitHubSimulator
import Postgres
import TestSupport
import Testing

/// The sync commands as an operator runs them: real binary, real PostgreSQL, simulator on loopback.
@Suite struct WorkerProcessTests {
    @Test func twoWorkerProcessesWithConcurrencyFourSyncTwoHundredJobsExactlyOnce() async throws {
        let setup = try await SimulatedWorld.make(repositories: 200, issues: 3)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        let arguments = ["worker", "--concurrency", "4", "--once", "--rate-limit-reserve", "0"]
        let workers = try (0..<2).map { _ in try WSyncProcess(arguments, environment: setup.environment) }
        for worker in workers {
            let status = await worker.exitStatus()
            #expect(status == 0, "\(worker.output)")
        }
        #expect(try setup.count("SELECT count(*)::integer AS n FROM wsync.sync_runs") == 200)
        #expect(try setup.count("SELECT count(DISTINCT job_id)::integer AS n FROM wsync.sync_runs WHERE status = 'success'") == 200)
        #expect(try setup.count("SELECT count(DISTINCT worker_id)::integer AS n FROM wsync.sync_runs") == 2)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM issues") == 600)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE lease_owner IS NOT NULL") == 0)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM wsync.workers WHERE stopped_at IS NULL") == 0)
    }

    @Test func aKilledWorkersLeaseIsReclaimedAndTheJobCompletesWithoutDuplicates() async throws {
        let setup = try await SimulatedWorld.make(repositories: 1, issues: 450)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        try await setup.simulator.setScenario(.slow(delay: .milliseconds(400)), for: "e2e/repo-0")
        // A long lease: only the dead worker's missing heartbeat can free the job in time.
        let victim = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--lease-seconds", "600", "--heartbeat-seconds", "1"],
            environment: setup.environment
        )
        for _ in 0..<100 where try setup.count("SELECT count(*)::integer AS n FROM issues") == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try setup.count("SELECT count(*)::integer AS n FROM issues") > 0)
        victim.signal(SIGKILL)
        _ = await victim.exitStatus()
        try await setup.simulator.setScenario(nil, for: "e2e/repo-0")

        let rescuer = try WSyncProcess(
            ["worker", "--rate-limit-reserve", "0", "--heartbeat-seconds", "1", "--dead-after-seconds", "3", "--poll-seconds", "1"],
            environment: setup.environment
        )
        // The victim's lease has 10 minutes left; the rescuer takes over once the victim's heartbeat is 3 s old.
        let succeeded: SQL = "SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'"
        for _ in 0..<300 where try setup.count(succeeded) == 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        rescuer.signal(SIGTERM)
        #expect(await rescuer.exitStatus() == 0, "\(rescuer.output)")
        let history = try setup.connection.query("SELECT status, error FROM wsync.sync_runs ORDER BY id")
        #expect(try history.map { try $0.decode("status", as: String.self) } == ["aborted", "success"])
        #expect(try history.first?.decode("error", as: String?.self)?.contains("stopped") == true)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM issues") == 450)
        #expect(try setup.count("SELECT (count(*) - count(DISTINCT github_id))::integer AS n FROM issues") == 0)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success' AND lease_owner IS NULL") == 1)
    }

    @Test func sigtermStopsBetweenPagesReleasesTheJobAndExitsZero() async throws {
        let setup = try await SimulatedWorld.make(repositories: 1, issues: 450)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        try await setup.simulator.setScenario(.slow(delay: .milliseconds(400)), for: "e2e/repo-0")
        let worker = try WSyncProcess(["worker", "--rate-limit-reserve", "0"], environment: setup.environment)
        for _ in 0..<100 where try setup.count("SELECT count(*)::integer AS n FROM issues") == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        worker.signal(SIGTERM)
        let status = await worker.exitStatus(timeout: 30)
        #expect(status == 0, "\(worker.output)")
        let row = try setup.connection.query("""
            SELECT last_sync_status, lease_owner, next_sync_at <= now() AS due FROM workspace_tracked_repositories
            """).first!
        #expect(try row.decode("last_sync_status", as: String?.self) == "partial")
        #expect(try row.decode("lease_owner", as: String?.self) == nil)
        #expect(try row.decode("due", as: Bool.self))
        #expect(worker.output.contains("stopped"))
    }

    @Test func manualSyncPrintsTheGuidesResultAsJSON() async throws {
        let setup = try await SimulatedWorld.make(repositories: 2, issues: 20)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        let sync = try WSyncProcess(
            ["sync", "--workspace", setup.workspace.uuidString, "--json", "--yes", "--actor", "e2e"], environment: setup.environment
        )
        #expect(await sync.exitStatus() == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(sync.output.utf8)) as? [String: Any], "\(sync.output)")
        #expect(json["repositories_processed"] as? Int == 2)
        #expect(json["success"] as? Bool == true)
        #expect((json["results"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "success" } == true)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM wsync.audit_log WHERE action = 'sync' AND actor = 'e2e'") == 1)

        let bad = try WSyncProcess(["sync", "--repo", "nobody/nothing", "--yes"], environment: setup.environment)
        #expect(await bad.exitStatus() == 2)
        #expect(bad.output.hasPrefix("wsync: no active tracked repository matches"))

        let rate = try WSyncProcess(["rate-limit", "--json"], environment: setup.environment)
        #expect(await rate.exitStatus() == 0)
        #expect(rate.output.contains("\"remaining\""))
        #expect(try setup.count("SELECT count(*)::integer AS n FROM wsync.rate_limit_observations WHERE source = 'rate_limit'") == 1)
    }

    /// `wsync sync` tells a script how it went: exit 2 and one line when GitHub refuses the token, exit 1 and
    /// `"success": false` when a repository failed, and a warning on stderr when no token is set at all.
    @Test func manualSyncExitStatusTellsSuccessFromFailure() async throws {
        let setup = try await SimulatedWorld.make(repositories: 2, issues: 5)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        var refused = setup.environment
        refused["GITHUB_TOKEN"] = "revoked-token"
        let bad = try WSyncProcess(["sync", "--workspace", setup.workspace.uuidString, "--yes", "--json"], environment: refused)
        #expect(await bad.exitStatus() == 2)
        #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.hasPrefix("wsync: GitHub rejected the token"), "\(bad.output)")
        #expect(!bad.output.contains("revoked-token"))
        #expect(try setup.count("SELECT count(*)::integer AS n FROM workspace_tracked_repositories WHERE last_sync_status IS NOT NULL") == 0)

        try await setup.simulator.setScenario(.notFound, for: "e2e/repo-1")
        let partly = try WSyncProcess(["sync", "--workspace", setup.workspace.uuidString, "--yes", "--json"], environment: setup.environment)
        #expect(await partly.exitStatus() == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(partly.stdout.utf8)) as? [String: Any], "\(partly.output)")
        #expect(json["success"] as? Bool == false)
        #expect((json["results"] as? [[String: Any]])?.map { $0["status"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["failed", "success"])

        var anonymous = setup.environment
        anonymous["GITHUB_TOKEN"] = .some(nil)
        anonymous["GITHUB_TOKENS"] = .some(nil)
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        anonymous["GITHUB_API_URL"] = simulator.baseURL.absoluteString
        let rate = try WSyncProcess(["rate-limit"], environment: anonymous)
        #expect(await rate.exitStatus() == 0, "\(rate.output)")
        #expect(rate.stderr.hasPrefix("wsync: warning: neither GITHUB_TOKEN nor GITHUB_TOKENS is set"), "\(rate.output)")
    }

    @Test func retryResetsAFailedRowAndSyncsItAtOnce() async throws {
        let setup = try await SimulatedWorld.make(repositories: 2, issues: 5)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        _ = try setup.connection.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 4,
                last_sync_error = 'HTTP 502', next_sync_at = now() + interval '3 hours'
            WHERE tracked_repository_id = (SELECT tr.id FROM tracked_repositories tr JOIN repositories r ON r.id = tr.repository_id
                                           WHERE r.full_name = 'e2e/repo-0')
            """)
        let retry = try WSyncProcess(
            ["retry", "--workspace", setup.workspace.uuidString, "--yes", "--json", "--actor", "e2e"], environment: setup.environment
        )
        #expect(await retry.exitStatus() == 0, "\(retry.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(retry.stdout.utf8)) as? [String: Any], "\(retry.output)")
        #expect((json["reset"] as? [String: Any])?["affected_rows"] as? Int == 1)
        #expect((json["sync"] as? [String: Any])?["repositories_processed"] as? Int == 1)
        let row = try setup.connection.query("""
            SELECT wtr.last_sync_status, wtr.sync_attempts, wtr.last_sync_error FROM workspace_tracked_repositories wtr
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
            WHERE r.full_name = 'e2e/repo-0'
            """)[0]
        #expect(try row.decode("last_sync_status", as: String?.self) == "success")
        #expect(try row.decode("sync_attempts", as: Int.self) == 0)
        #expect(try row.decode("last_sync_error", as: String?.self) == nil)
        #expect(try setup.count("SELECT count(*)::integer AS n FROM issues") == 5)
        // One action: the reset and the sync it triggered, recorded once, with the sync's outcome.
        #expect(try setup.count("SELECT count(*)::integer AS n FROM wsync.audit_log WHERE actor = 'e2e'") == 1)
        let entry = try setup.connection.query("SELECT action, summary, undoable FROM wsync.audit_log WHERE actor = 'e2e'")[0]
        #expect(try entry.decode("action", as: String.self) == "retry")
        #expect(try entry.decode("summary", as: String.self).contains("then synced 1 repository: 1 success"))
        #expect(try entry.decode("undoable", as: Bool.self))
    }

    /// The audit row of a manual sync is written when it claims its rows: a sync killed half way leaves one that
    /// says it did not finish.
    @Test func aKilledManualSyncLeavesAnAuditRowSayingItDidNotFinish() async throws {
        let setup = try await SimulatedWorld.make(repositories: 1, issues: 450)
        defer { Task { [simulator = setup.simulator] in await simulator.stop() } }
        try await setup.simulator.setScenario(.slow(delay: .milliseconds(400)), for: "e2e/repo-0")
        let sync = try WSyncProcess(["sync", "--workspace", setup.workspace.uuidString, "--yes", "--actor", "e2e"],
                                    environment: setup.environment)
        for _ in 0..<100 where try setup.count("SELECT count(*)::integer AS n FROM issues") == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try setup.count("SELECT count(*)::integer AS n FROM issues") > 0)
        sync.signal(SIGKILL)
        _ = await sync.exitStatus()
        let entries = try setup.connection.query("SELECT action, summary FROM wsync.audit_log WHERE actor = 'e2e'")
        #expect(entries.count == 1)
        #expect(try entries.first?.decode("action", as: String.self) == "sync")
        #expect(try entries.first?.decode("summary", as: String.self).contains("did not finish") == true)
    }

    /// A new user's first hour on contributor.info's production shape: the app's tables, triggers, NULLs, a bot and
    /// `team`; migrate, link and one worker pass with the real binary. Every run succeeds.
    @Test func migrateLinkAndWorkerOnTheProductionShape() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "e2e-token"))
        defer { Task { await simulator.stop() } }
        var served: [SimulatedRepository] = []
        for index in 0..<4 {
            served.append(await simulator.addRepository("prod/repo-\(index)", issueCount: 40, pullRequestEvery: 4, spreadDays: 10))
        }
        let repositories = served
        let database = try await offPool {
            let database = try TestDatabase.create(shape: .production, migrated: false)
            let connection = try database.connect()
            let owner = try #require(try SyncSeeding.owner(connection))
            // The app's own rows, as it writes them: a team workspace, repositories added through the API.
            try SyncSeeding.actAsApp(connection, user: owner)
            try connection.execute("""
                WITH w AS (
                    INSERT INTO workspaces (name, slug, tier, owner_id, max_repositories) VALUES ('Prod', 'prod', 'team', \(owner), 10)
                    RETURNING id
                ), r AS (
                    INSERT INTO repositories (github_id, full_name, owner, name, has_issues)
                    SELECT id, full_name, split_part(full_name, '/', 1), split_part(full_name, '/', 2), NULL
                    FROM unnest(\(repositories.map(\.id))::bigint[], \(repositories.map(\.fullName))::text[]) AS s(id, full_name)
                    RETURNING id
                )
                INSERT INTO workspace_repositories (workspace_id, repository_id, added_by) SELECT w.id, r.id, NULL FROM w, r
                """)
            try SyncSeeding.actAsApp(connection, user: nil)
            return database
        }
        let connection = try database.connect()
        let environment: [String: String?] = [
            "DATABASE_URL": database.url, "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": "e2e-token",
        ]
        for arguments in [["migrate"], ["link", "--yes", "--actor", "e2e"], ["worker", "--once", "--rate-limit-reserve", "0"]] {
            let process = try WSyncProcess(arguments, environment: environment)
            let status = await process.exitStatus()
            #expect(status == 0, "wsync \(arguments.joined(separator: " ")): \(process.output)")
        }
        let count = { (sql: SQL) in try connection.query(sql)[0].decode("n", as: Int.self) }
        #expect(try count("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status = 'success'") == 4)
        #expect(try count("SELECT count(*)::int AS n FROM wsync.sync_runs WHERE status <> 'success'") == 0)
        #expect(try count("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'success'") == 4)
        let expected = repositories.map { $0.issues.count }.reduce(0, +)
        #expect(try count("SELECT count(*)::int AS n FROM issues") == expected)
        #expect(try count("SELECT count(DISTINCT time_range)::int AS n FROM workspace_issues_cache") == 4)
    }
}
