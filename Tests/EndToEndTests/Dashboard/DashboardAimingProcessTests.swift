import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The dashboard's keys aim safely, in the real binary in tmux against a real PostgreSQL: bulk keys and keys that
/// spend API budget ask with the count and the estimated cost, every result names its target, a second reset
/// changes nothing, a reset releases the lease a dead worker left, and dialogs fit a 40×12 terminal.
@Suite(.serialized) struct DashboardAimingProcessTests {
    private func dashboard(_ url: String, environment: [String: String?] = [:], width: Int = 120, height: Int = 40) throws -> TmuxSession {
        try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--database-url", url, "--interval", "1"],
                        width: width, height: height, environment: environment)
    }

    @discardableResult
    private func waitUntilLive(_ session: TmuxSession, containing text: String) throws -> String {
        let (live, screen) = try session.waitFor(timeout: 30) { $0.contains("● live") && $0.contains(text) }
        #expect(live, "the dashboard did not come up live with \(text):\n\(screen)")
        return screen
    }

    private func count(_ connection: Connection, _ sql: SQL) throws -> Int { try connection.query(sql)[0].decode("n") }

    @Test func syncingAWorkspaceAsksWithTheCountAndCostAndTheResultNamesIt() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "aim-token"))
        defer { Task { await simulator.stop() } }
        let api = await simulator.addRepository("aim/api", issueCount: 3, pullRequestEvery: 0)
        let web = await simulator.addRepository("aim/web", issueCount: 2, pullRequestEvery: 0)
        let database = try await offPool { () -> TestDatabase in
            let database = try TestDatabase.create()
            let connection = try database.connect()
            let workspace = try SyncSeeding.workspace(connection, name: "Aim Co")
            let first = try SyncSeeding.track(connection, githubID: api.id, fullName: api.fullName, workspace: workspace)
            _ = try SyncSeeding.track(connection, githubID: web.id, fullName: web.fullName, workspace: workspace)
            try connection.execute("""
                UPDATE workspace_tracked_repositories SET last_sync_status = 'failed', sync_attempts = 2, last_sync_error = 'HTTP 502',
                    next_sync_at = now() + interval '2 hours' WHERE id = \(first)
                """)
            return database
        }
        let connection = try database.connect()
        let session = try dashboard(database.url, environment: [
            "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": "aim-token",
        ])
        try waitUntilLive(session, containing: "aim/api")
        try session.send("2")
        try session.send("S")
        let (asked, dialog) = try session.waitFor(timeout: 10) { screen in
            screen.contains("Sync every active row of workspace Aim Co now?") && screen.contains("2 active rows to sync.")
                && screen.contains("Cost: about 10 API calls") && screen.contains("• aim/web (Aim Co)")
        }
        #expect(asked, "S did not ask with the count and the cost:\n\(dialog)")
        #expect(try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log") == 0, "S synced before the answer")
        try session.send("y")
        let (done, result) = try session.waitFor(timeout: 30) { $0.contains("synced 2 repositories, workspace Aim Co: 2 success") }
        #expect(done, "the result does not name the workspace:\n\(result)")
        #expect(try count(connection, "SELECT count(*)::int AS n FROM issues") == 5)
        try session.send("q")
    }

    @Test func resetAllAsksThenASecondResetAllChangesNothing() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let failed = try count(connection, "SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'failed'")
        #expect(failed > 4)
        let session = try dashboard(database.url)
        try waitUntilLive(session, containing: "2 Failed syncs (\(failed))")
        try session.send("2")
        try session.send("R")
        let (asked, dialog) = try session.waitFor(timeout: 10) { $0.contains("Reset all \(failed) failed rows?") && $0.contains("Cost: about") }
        #expect(asked, "R did not ask with the count and the cost:\n\(dialog)")
        try session.send("y")
        let (queued, screen) = try session.waitFor(timeout: 10) { $0.contains("2 Failed syncs (\(failed), \(failed) queued)") }
        #expect(queued, "reset rows are not marked queued for retry:\n\(screen)")
        #expect(screen.contains("queued for retry: reset, not synced since"), "\(screen)")
        #expect(screen.contains("reset \(failed) syncs ("), "the result does not name its targets:\n\(screen)")
        let audited = try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log")
        try session.send("R")
        let (refused, again) = try session.waitFor(timeout: 5) {
            $0.contains("nothing to reset: all \(failed) failed rows are already queued for retry")
        }
        #expect(refused, "a second R offered to reset the reset rows again:\n\(again)")
        #expect(try count(connection, "SELECT count(*)::int AS n FROM wsync.audit_log") == audited)
        try session.send("q")
    }

    @Test func rOnAStuckRowReleasesTheLeaseItsDeadWorkerLeftAndTheRowLeavesTheList() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let workspace = try SyncSeeding.workspace(connection, name: "Lease Co")
        let job = try SyncSeeding.track(connection, githubID: 4343, fullName: "lease/left", workspace: workspace)
        try connection.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_status = 'success', last_sync_at = now() - interval '1 day',
                next_sync_at = now() - interval '3 hours', lease_owner = 'worker:crashed:77:dead',
                lease_expires_at = now() - interval '20 minutes'
            WHERE id = \(job)
            """)
        let session = try dashboard(database.url, width: 80, height: 24)
        let first = try waitUntilLive(session, containing: "lease/left")
        // At 80 columns the stuck pane keeps the lease, which is why the row is stuck.
        #expect(first.contains("expired 20m") && first.contains("Lease"), "the lease or workspace column is gone at 80 columns:\n\(first)")
        // Wide enough for the whole result message.
        try session.resize(width: 160, height: 40)
        try waitUntilLive(session, containing: "3 Stuck repos (1)")
        try session.send("3")
        try session.send("r")
        let (released, screen) = try session.waitFor(timeout: 10) { screen in
            screen.contains("released the lease worker:crashed:77:dead left behind") && screen.contains("3 Stuck repos (0)")
        }
        #expect(released, "r did not release the lease, or the row stayed stuck:\n\(screen)")
        #expect(try connection.query("SELECT lease_owner FROM workspace_tracked_repositories WHERE id = \(job)")[0]
            .decode("lease_owner", as: String?.self) == nil)
        try session.send("q")
    }

    @Test func at40x12EveryDialogShowsHowToAnswerAndSaysWhatItCut() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        let session = try dashboard(database.url, width: 40, height: 12)
        let (live, first) = try session.waitFor(timeout: 30) { $0.contains("● live") && $0.contains("1 Sync status") }
        #expect(live, "\(first)")
        try session.send("X")
        let (stop, stopScreen) = try session.waitFor(timeout: 5) { $0.contains("EMERGENCY STOP") }
        #expect(stop && stopScreen.contains("Type STOP, then Enter · Esc cancels") && stopScreen.contains("> ▏"), "\(stopScreen)")
        try session.send("Escape")
        try session.send("2")
        try session.send("R")
        let (reset, resetScreen) = try session.waitFor(timeout: 10) { $0.contains("Reset all") && $0.contains("Cost: about") }
        #expect(reset && resetScreen.contains("y yes") && resetScreen.contains("… and "), "\(resetScreen)")
        #expect(resetScreen.split(separator: "\n").allSatisfy { $0.count <= 40 })
        try session.send("n")
        // Help scrolls with End down to the colours, Home back to the top and PgDn a page: the arrows on its top
        // (line 1) and bottom border (line 9) say what lies above and below.
        func borders(_ screen: String) -> (above: Bool, below: Bool) {
            let lines = screen.components(separatedBy: "\n")
            return (lines.count > 9 && lines[1].contains("↑"), lines.count > 9 && lines[9].contains("↓"))
        }
        try session.send("?")
        try session.send("End")
        let (end, endScreen) = try session.waitFor(timeout: 5) { borders($0) == (true, false) }
        #expect(end && endScreen.contains("bright"), "End did not reach the end of help:\n\(endScreen)")
        try session.send("Home")
        let (home, homeScreen) = try session.waitFor(timeout: 5) { borders($0) == (false, true) }
        #expect(home, "Home did not go back to the top of help:\n\(homeScreen)")
        try session.send("PageDown")
        #expect(try session.waitFor(timeout: 5) { borders($0) == (true, true) }.0, "PgDn did not scroll help")
        try session.send("Escape")
        try session.send("q")
    }
}
