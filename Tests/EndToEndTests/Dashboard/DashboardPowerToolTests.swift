import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// `wsync dash` in tmux, for what users of the best terminal tools expect: sort, marks and bulk keys on the marked or
/// filtered rows, the live event feed, `y`, find with `n`/`N`, and the mouse.
@Suite(.serialized) struct DashboardPowerToolTests {
    private func dashboard(_ url: String, _ arguments: [String] = [], environment: [String: String?] = [:],
                           width: Int = 120, height: Int = 40) throws -> TmuxSession {
        try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--database-url", url, "--interval", "1"] + arguments,
                        width: width, height: height, environment: ["NO_COLOR": nil, "DATABASE_URL": nil].merging(environment) { $1 })
    }

    private static let allPanes = ["1 Sync status", "2 Failed syncs", "3 Stuck repos", "4 Rate limit", "5 Tier usage"]

    @discardableResult
    private func waitUntilLive(_ session: TmuxSession) throws -> String {
        let (live, screen) = try session.waitFor(timeout: 30) { screen in
            screen.contains("● live") && Self.allPanes.allSatisfy(screen.contains)
        }
        #expect(live, "the dashboard did not come up live:\n\(screen)")
        return screen
    }

    /// In the failed pane, opens the prompt of `key` (filter, find), types `text` and keeps it.
    private func answerPrompt(_ session: TmuxSession, _ key: String, _ text: String) throws {
        try session.send("2")
        try session.send(key)
        try session.type(text)
        try session.send("Enter")
    }

    private func seeded() throws -> (TestDatabase, Connection) {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        try DemoSeed.seed(connection)
        return (database, connection)
    }

    /// The failed rows in the order `o` sorts them by their error (ties in the engine's order: most attempts, latest
    /// failure, job id), as job ids.
    private func failedByError(_ connection: Connection) throws -> [UUID] {
        try connection.query("""
            SELECT f.id FROM workspace_tracked_repositories f JOIN workspaces w ON w.id = f.workspace_id
            JOIN tracked_repositories tr ON tr.id = f.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
            WHERE f.last_sync_status = 'failed'
            ORDER BY lower(f.last_sync_error) COLLATE "C" NULLS LAST, coalesce(f.sync_attempts, 0) DESC,
                     f.last_attempt_at DESC NULLS LAST, f.id
            """).map { try $0.decode("id", as: UUID.self) }
    }

    private func resetJobIDs(_ connection: Connection) throws -> Set<UUID>? {
        guard let row = try connection.query("""
            SELECT coalesce(parameters->>'job_ids', parameters->>'job_id') AS ids FROM wsync.audit_log WHERE action = 'reset'
            """).first else { return nil }
        return Set(try row.decode("ids", as: String.self).split(separator: ",").compactMap { UUID(uuidString: String($0)) })
    }

    @Test func oSortsByTheNextColumnMarksCountAndRResetsExactlyTheMarkedRows() throws {
        let (database, connection) = try seeded()
        let session = try dashboard(database.url)
        let first = try waitUntilLive(session)
        #expect(first.contains("att▼"), "the engine's order shows as att ▼:\n\(first)")
        try session.send("2")
        try session.send("o")
        let (sorted, sortedScreen) = try session.waitFor(timeout: 5) { $0.contains("error▲") && $0.contains("sorted by error ▲") }
        #expect(sorted, "o did not sort by the error column:\n\(sortedScreen)")
        let order = try failedByError(connection)
        let failedBefore = try connection.query("SELECT id, sync_attempts FROM workspace_tracked_repositories WHERE last_sync_status = 'failed'")
            .map { (try $0.decode("id", as: UUID.self), try $0.decode("sync_attempts", as: Int.self)) }
        #expect(order.count > 3)

        // The first two rows in that order, marked; R offers exactly those and resets exactly those.
        try session.send("m")
        try session.send("m")
        let (marked, markedScreen) = try session.waitFor(timeout: 5) { $0.contains(", 2 marked") }
        #expect(marked, "no mark count in the title:\n\(markedScreen)")
        try session.send("R")
        let (dialog, dialogScreen) = try session.waitFor(timeout: 5) { $0.contains("Reset 2 marked rows?") }
        #expect(dialog, "R did not offer the marked rows:\n\(dialogScreen)")
        try session.send("y")
        let (audited, auditScreen) = try session.waitFor(timeout: 10) { _ in (try? resetJobIDs(connection)) != nil }
        #expect(audited, "no reset recorded:\n\(auditScreen)")
        #expect(try resetJobIDs(connection) == Set(order.prefix(2)))
        for (id, attempts) in failedBefore where !order.prefix(2).contains(id) {
            let now: Int = try connection.query("SELECT sync_attempts AS n FROM workspace_tracked_repositories WHERE id = \(id)")[0].decode("n")
            #expect(now == attempts, "an unmarked row was reset")
        }
        // The rows acted on lose their marks; O reverses the sort.
        let (unmarked, unmarkedScreen) = try session.waitFor(timeout: 5) { !$0.contains(", 2 marked") && $0.contains("reset 2 syncs") }
        #expect(unmarked, "\(unmarkedScreen)")
        try session.send("O")
        #expect(try session.waitFor(timeout: 5) { $0.contains("error▼") }.0)
        try session.send("q")
    }

    /// Bug 5: filtered to a few rows, R offered to reset every failed row. It resets what the filter shows.
    @Test func rOnAFilteredListResetsTheRowsShown() throws {
        let (database, connection) = try seeded()
        let total: Int = try connection.query("SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'failed'")[0].decode("n")
        let session = try dashboard(database.url)
        try waitUntilLive(session)
        try answerPrompt(session, "/", "secondary rate limit")
        let shownCount = try #require(try session.waitFor(timeout: 5) { $0.contains("filter: secondary rate limit") }.1
            .firstMatch(of: /2 Failed syncs \((\d+)\) filter/).map { Int($0.1)! })
        #expect(shownCount > 0 && shownCount < total, "the filter should show some of \(total) rows, shows \(shownCount)")
        try session.send("R")
        let (dialog, screen) = try session.waitFor(timeout: 5) { $0.contains("Reset \(shownCount) \(shownCount == 1 ? "row" : "rows") shown by the filter?") }
        #expect(dialog, "R did not offer the filtered rows:\n\(screen)")
        try session.send("y")
        let (audited, _) = try session.waitFor(timeout: 10) { _ in (try? resetJobIDs(connection)) != nil }
        #expect(audited)
        let expected = Set(try connection.query("""
            SELECT id FROM workspace_tracked_repositories WHERE last_sync_status = 'failed' AND sync_attempts = 0 AND last_sync_error IS NULL
            """).map { try $0.decode("id", as: UUID.self) })
        #expect(try resetJobIDs(connection) == expected && expected.count == shownCount)
    }

    /// An operator action made in another terminal shows in the event feed at once, with time, actor, target and
    /// result, without opening anything.
    @Test func theEventFeedShowsACommandLineActionAsItHappens() throws {
        let (database, connection) = try seeded()
        let target = try #require(try FailedSync.fetch(connection).first)
        let session = try dashboard(database.url, ["--interval", "60"])
        try waitUntilLive(session)
        let reset = try WSyncProcess.run(["reset", "--workspace", target.workspaceId.uuidString, "--repo", target.repository,
                                          "--yes", "--actor", "cli-oncall"], databaseURL: database.url)
        #expect(reset.status == 0, "\(reset.stderr)")
        let id: Int64 = try connection.query("SELECT max(id) AS id FROM wsync.audit_log")[0].decode("id")
        let (shown, screen) = try session.waitFor(timeout: 5) { screen in
            screen.split(separator: "\n").contains { line in
                line.contains("cli-oncall") && line.contains("#\(id) reset") && line.contains(target.repository)
                    // The result names its target (as the engine's reset summary does).
                    && line.contains("reset \(target.repository.prefix(8))")
            }
        }
        #expect(shown, "the feed did not show the CLI's reset within the 60 s poll:\n\(screen)")
        // The audit view opens an entry in full.
        try session.send("a")
        _ = try session.waitFor(timeout: 5) { $0.contains("Audit log: 1 entry") }
        try session.send("Enter")
        let (opened, entry) = try session.waitFor(timeout: 5) { $0.contains("Audit entry #\(id)") && $0.contains("actor         cli-oncall") }
        #expect(opened, "\(entry)")
    }

    /// y puts a ready `wsync` command on the clipboard (OSC 52, which tmux keeps as a paste buffer) and in the status
    /// line; run as shown, it does what r does.
    @Test func yCopiesACommandLineThatWorks() async throws {
        let (database, connection) = try seeded()
        let target = try #require(try FailedSync.fetch(connection, limit: 200).first)
        let session = try dashboard(database.url, width: 250, height: 50)
        try session.command("set-option", "-s", "set-clipboard", "on")
        try waitUntilLive(session)
        try session.send("2")
        try session.send("y")
        let (copied, screen) = try session.waitFor(timeout: 5) { $0.contains("copied: wsync reset") }
        #expect(copied, "\(screen)")
        let line = try #require(screen.split(separator: "\n").first { $0.hasPrefix("copied: ") })
        let command = String(line.dropFirst("copied: ".count)).trimmingCharacters(in: .whitespaces)
        #expect(!command.hasSuffix("…"), "the status line cut the command: \(command)")
        #expect(command.hasPrefix("wsync reset --workspace \(target.workspaceId.uuidString.lowercased()) --repo \(target.repository)"))
        let (buffered, buffer) = try session.waitFor(timeout: 5) { _ in (try? session.command("show-buffer")) == command }
        #expect(buffered, "the OSC 52 clipboard holds \((try? session.command("show-buffer")) ?? "nothing"), not the command")
        _ = buffer
        // Run exactly that line in a shell, with this build's wsync first on PATH and no DATABASE_URL.
        let path = WSyncProcess.binary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let shell = try WSyncProcess(["-c", command], environment: ["PATH": path, "DATABASE_URL": nil], executable: URL(fileURLWithPath: "/bin/sh"))
        let status = try #require(await shell.exitStatus(timeout: 60))
        #expect(status == 0, "\(command) failed: \(shell.output)")
        let entry = try connection.query("""
            SELECT parameters->>'workspace_id' AS workspace, parameters->>'repository' AS repository, affected_rows
            FROM wsync.audit_log WHERE action = 'reset'
            """)
        #expect(entry.count == 1)
        #expect(try entry.first?.decode("workspace", as: String.self) == target.workspaceId.uuidString.lowercased())
        #expect(try entry.first?.decode("repository", as: String.self) == target.repository)
        #expect(try entry.first?.decode("affected_rows", as: Int.self) == 1)
        #expect(try connection.query("SELECT sync_attempts AS n FROM workspace_tracked_repositories WHERE id = \(target.jobId)")[0].decode("n", as: Int.self) == 0)
    }

    @Test func findHighlightsMatchesAndNJumpsBetweenThem() throws {
        let (database, connection) = try seeded()
        let matching: Int = try connection.query("""
            SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'failed' AND last_sync_error ILIKE '%secondary%'
            """)[0].decode("n")
        #expect(matching >= 2)
        let session = try dashboard(database.url)
        try waitUntilLive(session)
        try answerPrompt(session, "f", "secondary")
        let (found, screen) = try session.waitFor(timeout: 5) { $0.contains(", find \"secondary\": \(matching)") }
        #expect(found, "\(screen)")
        #expect(try session.screen(escapes: true).contains("48;5;220msecondary"), "matches are not highlighted")
        try session.send("n")
        let (next, nextScreen) = try session.waitFor(timeout: 5) { $0.contains("match ") && $0.contains(" of \(matching) for \"secondary\"") }
        #expect(next, "\(nextScreen)")
        let position = try #require(nextScreen.firstMatch(of: /match (\d+) of/).map { Int($0.1)! })
        try session.send("N")
        let (back, backScreen) = try session.waitFor(timeout: 5) {
            $0.contains("match \(position == 1 ? matching : position - 1) of \(matching)")
        }
        #expect(back, "N did not go back one match:\n\(backScreen)")
        // The selected row is a match: its detail names the error.
        try session.send("Enter")
        #expect(try session.waitFor(timeout: 5) { $0.contains("error (full)") && $0.contains("secondary rate limit") }.0)
    }

    /// A click focuses the failed pane and selects the row under it (tmux sends what ncurses asked for: X10 reports
    /// in its terminal, SGR ones where the terminfo says so); the wheel scrolls; `--no-mouse` and `M` turn it off.
    @Test(arguments: [("tmux-256color", false), ("xterm-256color", true)])
    func aClickSelectsTheRowUnderItAndTheWheelScrolls(term: String, sgr: Bool) throws {
        let (database, _) = try seeded()
        let session = try dashboard(database.url, environment: ["TERM": term])
        let screen = try waitUntilLive(session)
        #expect(try session.display("#{mouse_any_flag}#{mouse_standard_flag}") != "00", "the dashboard did not ask for mouse reports")
        #expect(try session.display("#{mouse_sgr_flag}") == (sgr ? "1" : "0"))
        // At 120×40 the failed pane's rows start on line 12 (under the header line and its own).
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = 14
        let clicked = try #require(lines[y].split(separator: " ", omittingEmptySubsequences: true).dropFirst().first { $0.contains("/") })
        func mouse(_ button: Int, x: Int, y: Int, release: Bool = false) throws {
            if sgr {
                try session.type("\u{1B}[<\(button);\(x + 1);\(y + 1)\(release ? "m" : "M")")
            } else {
                let code = release ? 3 : button
                try session.type("\u{1B}[M" + String(UnicodeScalar(UInt8(32 + code))) + String(UnicodeScalar(UInt8(33 + x)))
                                 + String(UnicodeScalar(UInt8(33 + y))))
            }
        }
        try mouse(0, x: 40, y: y)
        try mouse(0, x: 40, y: y, release: true)
        Thread.sleep(forTimeInterval: 0.3)
        try session.send("Enter")
        let (detail, detailScreen) = try session.waitFor(timeout: 5) { $0.contains("repository    \(clicked)") }
        #expect(detail, "the click did not select \(clicked):\n\(detailScreen)")
        try session.send("Escape")
        // Two notches down move the selection six rows; the selected row's detail says which.
        let order = try FailedSync.fetch(try database.connect(), limit: 200).map(\.repository)
        let start = try #require(order.firstIndex(of: String(clicked)))
        try mouse(65, x: 40, y: y)
        try mouse(65, x: 40, y: y)
        Thread.sleep(forTimeInterval: 0.3)
        try session.send("Enter")
        let expected = order[min(order.count - 1, start + 6)]
        #expect(try session.waitFor(timeout: 5) { $0.contains("repository    \(expected)") }.0, "the wheel did not move six rows to \(expected)")
        try session.send("Escape")
        try session.send("M")
        let (off, offScreen) = try session.waitFor(timeout: 5) { $0.contains("mouse off") }
        let flags = try session.display("#{mouse_any_flag}#{mouse_standard_flag}")
        #expect(off && flags == "00", "\(offScreen)")
    }

    @Test func noMouseLeavesTheMouseToTheTerminalUntilM() throws {
        let (database, _) = try seeded()
        let session = try dashboard(database.url, ["--no-mouse"])
        try waitUntilLive(session)
        #expect(try session.display("#{mouse_any_flag}#{mouse_standard_flag}") == "00")
        try session.send("M")
        #expect(try session.waitFor(timeout: 5) { $0.contains("mouse on") }.0)
        #expect(try session.display("#{mouse_standard_flag}") == "1")
    }
}
