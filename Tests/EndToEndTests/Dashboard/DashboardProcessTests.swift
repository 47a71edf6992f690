import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import Testing
import TestSupport

/// `wsync dash` as the on-call person sees it: the real binary in tmux against a real PostgreSQL.
@Suite(.serialized) struct DashboardProcessTests {
    private static let allPanes = ["1 Sync status", "2 Failed syncs", "3 Stuck repos", "4 Rate limit", "5 Tier usage"]

    private func dashboard(_ url: String, _ arguments: [String] = [], environment: [String: String?] = [:],
                           width: Int = 120, height: Int = 40, interval: Int = 1) throws -> TmuxSession {
        try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--database-url", url, "--interval", String(interval)] + arguments,
                        width: width, height: height, environment: environment)
    }

    /// Every operator action is announced in its own transaction: a dashboard polling once a minute shows a
    /// stop-all made in another terminal at once, not at its next poll.
    @Test func aStopAllFromAnotherTerminalReachesADashboardAtOnce() throws {
        let database = try TestDatabase.create()
        try DemoSeed.seed(try database.connect())
        let session = try dashboard(database.url, interval: 60)
        try waitUntilLive(session)
        let stop = try WSyncProcess.run(["stop-all", "--reason", "cli-drill", "--yes"], databaseURL: database.url)
        #expect(stop.status == 0, "\(stop.stderr)")
        // Far inside the 60 s poll: only the notification can bring it.
        let (shown, screen) = try session.waitFor(timeout: 5) { $0.contains("cli-drill") }
        #expect(shown, "the stop-all did not reach the dashboard:\n\(screen)")
        try session.send("q")
    }

    @Test func anUnmigratedDatabaseSaysToMigrate() throws {
        let database = try TestDatabase.create(migrated: false)
        let session = try dashboard(database.url)
        let (said, screen) = try session.waitFor(timeout: 15) { $0.contains("wsync migrate") }
        #expect(said, "the dashboard did not say to migrate:\n\(screen)")
        try session.send("q")
    }

    /// Waits for the live screen with all five panes; fails the test with the screen if it never comes.
    @discardableResult
    private func waitUntilLive(_ session: TmuxSession, containing text: String? = nil) throws -> String {
        let (live, screen) = try session.waitFor(timeout: 30) { screen in
            screen.contains("● live") && Self.allPanes.allSatisfy(screen.contains) && text.map(screen.contains) != false
        }
        #expect(live, "the dashboard did not come up live:\n\(screen)")
        return screen
    }

    private func count(_ connection: Connection, _ sql: SQL) throws -> Int { try connection.query(sql)[0].decode("n") }

    @Test func panesShowSeededDataAndRResetsTheSelectedFailedRow() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let target = try #require(try FailedSync.fetch(connection).first)
        #expect(target.syncAttempts > 0)
        let session = try dashboard(database.url)
        let first = try waitUntilLive(session, containing: target.repository)
        #expect(first.contains("team") && first.contains("resets in"), "tier usage or rate limit without data:\n\(first)")

        try session.send("2")
        try session.send("r")
        let (audited, screen) = try session.waitFor(timeout: 10) { _ in
            (try? count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log WHERE action = 'reset'")) == 1
        }
        #expect(audited, "no audit row for r:\n\(screen)")
        let entry = try connection.query("SELECT actor, parameters->>'job_id' AS job FROM wsync.audit_log WHERE action = 'reset'")[0]
        #expect(try entry.decode("job", as: String?.self) == target.jobId.uuidString.lowercased())
        #expect(try count(connection, "SELECT sync_attempts AS n FROM workspace_tracked_repositories WHERE id = \(target.jobId)") == 0)
        // The row sinks below the rows that still have attempts; filtering the pane to it shows the cleared count
        // (refreshed within one interval of 1 s).
        try session.send("/")
        try session.type(target.repository)
        try session.send("Enter")
        let (updated, after) = try session.waitFor(timeout: 3) { screen in
            screen.contains("Failed syncs") && screen.split(separator: "\n").contains { line in
                line.contains(target.repository) && line.contains(target.workspace) && line.contains(" 0 ")
            }
        }
        #expect(updated, "the failed pane did not show the reset row with 0 attempts:\n\(after)")
        try session.send("q")
        #expect(try session.waitFor(timeout: 10) { $0.contains("[exited 0]") }.0)
    }

    @Test func emergencyStopWithTypedConfirmationThenUndoRestoresTheActiveSet() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let activeSet: SQL = "SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids FROM workspace_tracked_repositories WHERE is_active"
        let before = try connection.query(activeSet)[0].decode("ids", as: [UUID].self)
        #expect(!before.isEmpty)
        let session = try dashboard(database.url)
        try waitUntilLive(session)

        try session.send("X")
        let (dialog, dialogScreen) = try session.waitFor(timeout: 5) { $0.contains("EMERGENCY STOP") }
        #expect(dialog && dialogScreen.contains("Active rows to deactivate"), "\(dialogScreen)")
        try session.type("STOP")
        try session.send("Enter")
        let (stopped, stopScreen) = try session.waitFor(timeout: 10) { _ in
            (try? count(connection, "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE is_active")) == 0
        }
        #expect(stopped, "X did not stop everything:\n\(stopScreen)")
        let (banner, bannerScreen) = try session.waitFor(timeout: 5) {
            $0.contains("GLOBAL SYNC PAUSE (\"emergency stop from the dashboard\"")
        }
        #expect(banner, "no pause banner after the emergency stop:\n\(bannerScreen)")

        try session.send("u")
        let (undoDialog, undoScreen) = try session.waitFor(timeout: 5) { $0.contains("Undo") }
        #expect(undoDialog, "\(undoScreen)")
        try session.send("y")
        let (restored, restoredScreen) = try session.waitFor(timeout: 10) { _ in
            (try? connection.query(activeSet)[0].decode("ids", as: [UUID].self)) == before
        }
        #expect(restored, "u did not restore the active set:\n\(restoredScreen)")
        #expect(try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log WHERE action IN ('stop-all', 'undo', 'resume')") == 2)
    }

    @Test func sSyncsTheSelectedRowFromGitHubAndTheCountsChange() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "dash-token"))
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("dash/api", issueCount: 12, pullRequestEvery: 0)
        let (database, job) = try await offPool {
            let database = try TestDatabase.create()
            let connection = try database.connect()
            let workspace = try SyncSeeding.workspace(connection, name: "Dash Co")
            let job = try SyncSeeding.track(connection, githubID: repository.id, fullName: repository.fullName, workspace: workspace)
            _ = try connection.execute("""
                UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 3,
                    last_sync_error = 'HTTP 502', last_sync_at = now() - interval '1 hour',
                    next_sync_at = now() + interval '2 hours'
                WHERE id = \(job)
                """)
            return (database, job)
        }
        let connection = try database.connect()
        let session = try dashboard(database.url, environment: [
            "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": "dash-token",
        ])
        let first = try waitUntilLive(session, containing: "dash/api")
        #expect(first.contains("Failed syncs (1)"), "\(first)")

        try session.send("2")
        try session.send("s")
        // A sync spends API budget: it asks first, with the cost.
        let (asked, dialog) = try session.waitFor(timeout: 10) { $0.contains("Sync dash/api (Dash Co) now?") && $0.contains("Cost: about") }
        #expect(asked, "s did not ask with the cost:\n\(dialog)")
        try session.send("y")
        // The refresh that shows the cleared row can come before the sync's own result message (the run's NOTIFY
        // wakes the poller as the run ends): wait for both.
        let (synced, screen) = try session.waitFor(timeout: 20) { screen in
            (screen.contains("Failed syncs (0)") || (screen.contains("2 Failed syncs") && !screen.contains("dash/api")))
                && screen.contains("synced 1 repository")
        }
        #expect(synced, "the failed row did not clear after s:\n\(screen)")
        #expect(screen.contains("synced 1 repository"), "no result message:\n\(screen)")
        let row = try connection.query("SELECT last_sync_status, sync_attempts FROM workspace_tracked_repositories WHERE id = \(job)")[0]
        #expect(try row.decode("last_sync_status", as: String?.self) == "success")
        #expect(try row.decode("sync_attempts", as: Int.self) == 0)
        #expect(try count(connection, "SELECT count(*)::int AS n FROM issues") == 12)
        #expect(try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log WHERE action = 'sync'") == 1)
    }

    @Test func lostDatabaseShowsDisconnectedWithDataAgeAndReconnectsWithoutAKey() throws {
        // A cluster of its own: stopping the shared one would pull the floor from under other tests.
        let cluster = try ThrowawayCluster(prefix: "wsync-dash-e2e")
        defer { cluster.stop() }
        let connection = try Connection(cluster.configuration())
        _ = try Migrator(connection: connection).migrate()
        try DemoSeed.seed(connection)
        let session = try dashboard(cluster.url())
        try waitUntilLive(session)

        try cluster.stopServer()
        let (lost, lostScreen) = try session.waitFor(timeout: 15) { $0.contains("DISCONNECTED") && $0.contains("data as of") }
        #expect(lost, "no DISCONNECTED banner with the data's age:\n\(lostScreen)")
        #expect(Self.allPanes.allSatisfy(lostScreen.contains), "the last data should stay on screen:\n\(lostScreen)")

        try cluster.startServer()
        let (back, backScreen) = try session.waitFor(timeout: 30) { $0.contains("● live") && !$0.contains("DISCONNECTED") }
        #expect(back, "did not reconnect on its own:\n\(backScreen)")
    }

    @Test func resizeEscapedTextAndNoColor() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let workspace = try SyncSeeding.workspace(connection, name: "Evil\u{1b}[31mRED")
        let job = try SyncSeeding.track(connection, githubID: 4242, fullName: "evil/repo", workspace: workspace)
        _ = try connection.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 2,
                last_sync_error = \("boom\u{1b}]0;pwned\u{07}") WHERE id = \(job)
            """)

        // `swift test` itself may set NO_COLOR for the tests it runs.
        let colored = try dashboard(database.url, environment: ["NO_COLOR": nil])
        let screen = try waitUntilLive(colored, containing: "evil/repo")
        #expect(screen.contains("Evil\\e[31mRED"), "the workspace name was not shown escaped:\n\(screen)")
        #expect(screen.contains("boom\\e]0;pwned\\x07"), "the error was not shown escaped:\n\(screen)")
        #expect(Self.hasColour(try colored.screen(escapes: true)), "the default theme should use colour")

        try colored.resize(width: 40, height: 10)
        let (small, smallScreen) = try colored.waitFor(timeout: 5) { $0.contains("[1/5]") && $0.contains("1 Sync status") }
        #expect(small, "no single-pane layout at 40×10:\n\(smallScreen)")
        #expect(smallScreen.split(separator: "\n").allSatisfy { $0.count <= 40 })
        try colored.send("Tab")
        #expect(try colored.waitFor(timeout: 5) { $0.contains("[2/5]") && $0.contains("2 Failed syncs") }.0)
        try colored.resize(width: 120, height: 40)
        try waitUntilLive(colored, containing: "evil/repo")

        let plain = try dashboard(database.url, environment: ["NO_COLOR": "1"])
        try waitUntilLive(plain, containing: "evil/repo")
        let escapes = try plain.screen(escapes: true)
        #expect(!Self.hasColour(escapes), "NO_COLOR left colour escapes:\n\(escapes.debugDescription)")
    }

    @Test func readOnlyRefusesResetAndHidesMutatingKeys() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let session = try dashboard(database.url, ["--read-only"])
        let screen = try waitUntilLive(session, containing: "[RO]")
        try session.send("2")
        let (focused, footer) = try session.waitFor(timeout: 5) { $0.contains("Enter detail") }
        #expect(focused && !footer.contains("r reset") && !footer.contains("X emergency"), "\(footer)")
        try session.send("r")
        let (refused, refusal) = try session.waitFor(timeout: 5) { $0.contains("read-only session: r (reset) is disabled") }
        #expect(refused, "\(refusal)")
        #expect(try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log") == 0)
        #expect(screen.contains("[RO]"))
    }

    /// Whether a screen captured with `-e` holds a foreground or background colour (SGR 30–38, 40–48, 90–107;
    /// 39 and 49, "default colour", are what tmux itself writes between attribute changes).
    private static func hasColour(_ captured: String) -> Bool {
        let pattern = try! NSRegularExpression(pattern: "\u{1b}\\[([0-9;]*)m")
        let range = NSRange(captured.startIndex..., in: captured)
        return pattern.matches(in: captured, range: range).contains { match in
            guard let parameters = Range(match.range(at: 1), in: captured) else { return false }
            return captured[parameters].split(separator: ";").compactMap { Int($0) }.contains { code in
                (30...38).contains(code) || (40...48).contains(code) || (90...107).contains(code)
            }
        }
    }
}
