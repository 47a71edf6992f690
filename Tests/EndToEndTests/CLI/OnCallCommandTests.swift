import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport
import Testing

/// What on-call runs first: a one-shot dashboard for the incident channel, and the workers' liveness.
@Suite struct OnCallCommandTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func dashOnceNeedsNoTerminalAndExitsAsCheckWould() throws {
        let database = try TestDatabase.create()
        try DemoSeed.seed(database.connect())
        let alerting = try WSyncProcess.run(["check"], databaseURL: database.url)
        #expect(alerting.status == 1, "the demo's failing syncs make check alert: \(alerting.output)")

        let text = try WSyncProcess.run(["dash", "--once", "--width", "100"], databaseURL: database.url)
        #expect(text.status == 1, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 40 && lines.allSatisfy { $0.count <= 100 }, "\(text.stdout)")
        #expect(text.stdout.contains("1 Sync status") && text.stdout.contains("5 Tier usage"))
        #expect(!text.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "no escapes: \(text.stdout)")

        let panes = try json(try WSyncProcess.run(["dash", "--once", "--json"], databaseURL: database.url).stdout)
        for pane in ["taken_at", "status", "failed", "failed_total", "stuck", "rate_limit", "tiers", "check"] {
            #expect(panes[pane] != nil, "missing \(pane)")
        }
        #expect((panes["check"] as? [String: Any])?["failing"] as? Int == (try SyncAlert.fetch(database.connect()).failing))
        #expect((panes["status"] as? [String: Any])?["workers"] is [Any])

        let healthy = try TestDatabase.create()
        let calm = try WSyncProcess.run(["dash", "--once", "--width", "80"], databaseURL: healthy.url)
        #expect(calm.status == 0, "\(calm.output)")
        #expect(calm.stdout.contains("no failed syncs"))

        let unreachable = try WSyncProcess.run(["dash", "--once"], databaseURL: "postgresql://ops:s3cret-pw@127.0.0.1:1/app?connect_timeout=2")
        #expect(unreachable.status == 2 && unreachable.stdout.isEmpty)
        #expect(unreachable.stderr.contains("database \"app\" at 127.0.0.1:1") && !unreachable.stderr.contains("s3cret-pw"))

        let live = try WSyncProcess.run(["dash"], databaseURL: healthy.url)
        #expect(live.status == 2 && live.stderr.contains("needs a terminal"), "\(live.output)")
        let misplaced = try WSyncProcess.run(["dash", "--json"], databaseURL: healthy.url)
        #expect(misplaced.status == 2 && misplaced.stderr.contains("--once"), "\(misplaced.output)")
    }

    @Test func aKilledWorkerTurnsDeadAndAHungOneIsNamed() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 5, simulator: .init(token: SimulatedWorld.token, hangDuration: .seconds(60)))
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        try await world.simulator.setScenario(.hungSocket, for: "e2e/repo-0")
        let database = world.database
        let worker = try WSyncProcess(["worker", "--heartbeat-seconds", "1", "--concurrency", "2"], environment: world.environment)

        func workers(_ extra: String...) async throws -> [String: Any] {
            let result = try await offPool { try WSyncProcess.run(["workers", "--json"] + extra, databaseURL: database.url) }
            #expect(result.status == 0, "\(result.stderr)")
            return try json(result.stdout)
        }
        func states(_ report: [String: Any]) -> [String] {
            (report["workers"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
        }

        // The worker holds the job while GitHub never answers: heartbeats go on, progress does not.
        var report = try await workers("--hung-after-seconds", "2")
        for _ in 0..<200 where states(report) != ["hung"] {
            try await Task.sleep(for: .milliseconds(100))
            report = try await workers("--hung-after-seconds", "2")
        }
        #expect(states(report) == ["hung"], "\(report)")
        let row = try #require((report["workers"] as? [[String: Any]])?.first)
        #expect(row["pid"] as? Int == Int(worker.pid))
        #expect(row["version"] as? String == WSyncVersion.current)
        #expect(row["concurrency"] as? Int == 2 && row["current_jobs"] as? Int == 1)
        #expect(states(try await workers()) == ["alive"], "under the default threshold it is not hung yet")

        worker.signal(SIGKILL)
        _ = await worker.exitStatus()
        report = try await workers("--dead-after-seconds", "3")
        for _ in 0..<200 where states(report) != ["dead"] {
            try await Task.sleep(for: .milliseconds(100))
            report = try await workers("--dead-after-seconds", "3")
        }
        #expect(states(report) == ["dead"], "\(report)")
        let blockers = (report["claim_blockers"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(blockers == ["no_worker_alive"])

        let table = try await offPool { try WSyncProcess.run(["workers", "--dead-after-seconds", "3"], databaseURL: database.url) }
        #expect(table.status == 0)
        #expect(table.stdout.contains("dead") && table.stdout.contains("no_worker_alive: no worker is alive (0 hung, 1 dead)"), "\(table.stdout)")
        let status = try json(try await offPool { try WSyncProcess.run(["status", "--json"], databaseURL: database.url) }.stdout)
        #expect((status["workers"] as? [[String: Any]])?.count == 1)
    }

    @Test func theDashboardsWorkersViewShowsALiveWorkerAndThePauseHoldingItBack() async throws {
        let world = try await SimulatedWorld.make(repositories: 1, issues: 5)
        defer { Task { [simulator = world.simulator] in await simulator.stop() } }
        try world.connection.execute("UPDATE wsync.pause SET is_paused = true, reason = 'drill', paused_by = 'oncall'")
        let worker = try WSyncProcess(["worker", "--heartbeat-seconds", "1"], environment: world.environment)
        defer { worker.signal(SIGTERM) }
        let registered: SQL = "SELECT count(*)::int AS n FROM wsync.workers WHERE pid = \(Int(worker.pid))"
        for _ in 0..<300 where try world.count(registered) == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        let (url, pid) = (world.database.url, worker.pid)
        let (opened, screen) = try await offPool {
            let session = try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--database-url", url, "--interval", "1"],
                                          width: 120, height: 40)
            defer { session.close() }
            let (live, first) = try session.waitFor(timeout: 30) { $0.contains("● live") && $0.contains("1 Sync status") }
            guard live else { return (false, first) }
            try session.send("w")
            return try session.waitFor(timeout: 10) { $0.contains("Workers (Esc back") && $0.contains(":\(pid)") }
        }
        #expect(opened, "\(screen)")
        #expect(screen.contains("not claimed because:") && screen.contains("syncing is paused (drill) by oncall"), "\(screen)")
        #expect(screen.contains("alive"), "\(screen)")
    }
}
