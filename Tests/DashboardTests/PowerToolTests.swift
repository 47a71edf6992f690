import Dashboard
import Foundation
import SyncEngine
import Testing

/// What users of htop, k9s, lazygit and btop expect, as key sequences against state: sort, marks and bulk by
/// selection, search, the row detail and `y`, the audit view, the mouse.
@Suite struct PowerToolTests {
    let failed = Fixture.state(focus: .failed)

    func row(_ n: Int) -> RowRef {
        let r = Fixture.failed[n]
        return RowRef(jobId: r.jobId, workspaceId: r.workspaceId, workspace: r.workspace, repository: r.repository)
    }

    func repositories(_ state: DashboardState, _ pane: Pane = .failed) -> [String] {
        state.items(in: pane).map { item in
            switch item {
            case .failed(let r): r.repository
            case .stuck(let r): r.fullName
            case .group(let g): g.error
            }
        }
    }

    // MARK: Sort

    @Test func oCyclesTheSortColumnAndOReversesIt() {
        // The engine's order is most attempts first: the header says so before any key.
        #expect(failed.sort(of: .failed) == ListSort(column: 2, descending: true))
        #expect(repositories(failed) == ["acme/api", "acme/web", "nihon/設定", "evil/\u{1B}[31mred"])
        // Select acme/web, then sort: the selection stays on it.
        var (state, commands) = Fixture.run(failed, Fixture.keys("jo"))
        #expect(commands.isEmpty)
        #expect(state.sort(of: .failed) == ListSort(column: 3, descending: false))
        #expect(repositories(state) == ["evil/\u{1B}[31mred", "acme/web", "acme/api", "nihon/設定"])
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[1]))
        #expect(state.message?.text.hasPrefix("Failed syncs sorted by error ▲ ascending") == true)
        (state, _) = Fixture.run(state, Fixture.keys("O"))
        #expect(repositories(state) == ["acme/api", "nihon/設定", "acme/web", "evil/\u{1B}[31mred"], "ties keep the engine's order")
        // The last attempt, newest first; the workspace column after the last wraps round.
        (state, _) = Fixture.run(state, Fixture.keys("o"))
        #expect(state.sort(of: .failed) == ListSort(column: 4, descending: false))
        #expect(repositories(state) == ["nihon/設定", "acme/api", "acme/web", "evil/\u{1B}[31mred"])
        (state, _) = Fixture.run(state, Fixture.keys("o"))
        #expect(state.sort(of: .failed) == ListSort(column: 0, descending: false))
        #expect(repositories(state).first == "acme/api")
    }

    @Test func everyListSortsAndTheHeaderShowsTheDirection() {
        let stuck = Fixture.run(Fixture.state(focus: .stuck), Fixture.keys("o")).0
        #expect(stuck.sort(of: .stuck) == ListSort(column: 3, descending: false))
        #expect(repositories(stuck, .stuck) == ["acme/infra", "rocket/launch"], "a row without a worker sorts last")
        #expect(repositories(Fixture.run(stuck, Fixture.keys("O")).0, .stuck) == ["acme/infra", "rocket/launch"])
        let tiers = Fixture.run(Fixture.state(focus: .tiers), Fixture.keys("o")).0
        #expect(tiers.sortedTiers(Fixture.snapshot.tiers).map(\.tier) == ["free", "private", "pro"])
        let byUse = Fixture.run(tiers, Fixture.keys("ooo")).0
        #expect(byUse.sortedTiers(Fixture.snapshot.tiers).map(\.tier) == ["free", "pro", "private"])
        let screen = render(byUse, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("use▼"), "\(screen)")
        let failedScreen = render(failed, size: Size(width: 120, height: 40)).text
        #expect(failedScreen.contains("att▼"), "the engine's order is shown as att ▼:\n\(failedScreen)")
        let grouped = Fixture.run(failed, Fixture.keys("eo")).0
        #expect(grouped.sort(of: .failedGroups) == ListSort(column: 1, descending: false))
        #expect(render(grouped, size: Size(width: 120, height: 40)).text.contains("error▲"))
        #expect(Fixture.run(Fixture.state(focus: .status), Fixture.keys("o")).0.message?.text == "o/O (sort: next column/reverse) works in Failed syncs, Stuck repos, Tier usage")
    }

    // MARK: Marks and bulk keys

    @Test func marksCountInTheTitleAndRResetsExactlyTheMarkedRows() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("mjm"))
        #expect(commands.isEmpty)
        #expect(state.markedItems(in: .failed) == [.failed(Fixture.failed[0]), .failed(Fixture.failed[2])])
        #expect(state.bulkTarget(in: .failed) == BulkTarget(source: .marked, rows: [row(0), row(2)], total: 2))
        let screen = render(state, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("2 Failed syncs (4), 2 marked"), "\(screen)")
        #expect(screen.contains("● acme"), "marked rows carry a mark:\n\(screen)")
        (state, commands) = Fixture.run(state, Fixture.keys("R"))
        guard case .confirm(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.title == "Reset 2 marked rows?")
        #expect(dialog.lines.contains("• acme/api (acme)") && dialog.lines.contains("• nihon/設定 (初期ワークスペース)"))
        (state, commands) = Fixture.run(state, Fixture.keys("y"))
        #expect(commands == [.perform(.reset([row(0), row(2)]))])
        // m again unmarks; Esc clears every mark of the pane first, the message after.
        (state, _) = Fixture.run(failed, Fixture.keys("mkm"))
        #expect(state.markedItems(in: .failed).isEmpty)
        (state, _) = Fixture.run(failed, Fixture.keys("mm") + [.key(.escape)])
        #expect(state.marks[.failed] == nil && state.message?.text == "marks cleared in Failed syncs")
        (state, _) = Fixture.run(state, [.key(.escape)])
        #expect(state.message == nil)
    }

    /// Bug 5: filtered to 2 rows, R offered to reset all 4. Bulk keys act on what is shown.
    @Test func rActsOnTheFilteredRowsNotEveryFailedRow() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("/502") + [.key(.enter)] + Fixture.keys("R"))
        guard case .confirm(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.title == "Reset 2 rows shown by the filter?")
        #expect(!dialog.lines.contains("• acme/web (acme)"))
        (state, commands) = Fixture.run(state, Fixture.keys("y"))
        #expect(commands == [.perform(.reset([row(0), row(2)]))])
        // Marks win over the filter; without either, every failed row (also those the snapshot did not carry). The
        // dialog asks the engine for the cost first.
        (_, commands) = Fixture.run(failed, Fixture.keys("/502") + [.key(.enter)] + Fixture.keys("jmRy"))
        #expect(commands == [.estimate(.reset([row(2)])), .perform(.reset([row(2)]))])
        (_, commands) = Fixture.run(failed, Fixture.keys("Ry"))
        #expect(commands == [.estimate(.resetAllFailed), .perform(.resetAllFailed)])
        // A filter over the first rows of many says what it looked at.
        let many = Fixture.snapshot { $0["failed_total"] = 1234 }
        let (manyState, _) = Fixture.run(failed, [.snapshot(many)] + Fixture.keys("/502") + [.key(.enter)] + Fixture.keys("R"))
        guard case .confirm(let partial) = manyState.overlay else { Issue.record("no dialog"); return }
        #expect(partial.lines.contains("The filter looked at the 4 rows with the most attempts of 1234 failed."))
        // A filter that shows nothing resets nothing.
        let none = Fixture.run(failed, Fixture.keys("/nothing-matches") + [.key(.enter)] + Fixture.keys("R")).0
        #expect(none.overlay == nil && none.message?.text == "no rows to reset: the filter shows none")
    }

    @Test func marksOutliveARefreshButNotTheirRows() {
        var (state, _) = Fixture.run(failed, Fixture.keys("mm"))
        let reordered = Fixture.snapshot { json in
            let rows = Fixture.failedJSON
            json["failed"] = [rows[1], rows[2], rows[3]]
        }
        (state, _) = Fixture.run(state, [.snapshot(reordered)])
        #expect(state.markedItems(in: .failed) == [.failed(Fixture.failed[1])])
        #expect(state.marks[.failed] == [Fixture.id(2).uuidString])
        // Grouping by error changes what a row is: the marks go.
        (state, _) = Fixture.run(state, Fixture.keys("e"))
        #expect(state.marks[.failed] == nil)
        // A marked group resets all its rows.
        let (_, commands) = Fixture.run(state, Fixture.keys("mRy"))
        #expect(commands == [.estimate(.reset([row(1)])), .perform(.reset([row(1)]))])
    }

    // MARK: Search

    @Test func findHighlightsAndNJumpsBetweenMatches() {
        var (state, _) = Fixture.run(failed, Fixture.keys("f502"))
        #expect(state.overlay == .find(text: "502"))
        #expect(state.items(in: .failed).count == 4, "a search hides nothing")
        #expect(state.matchIndexes(in: .failed) == [0, 2])
        #expect(state.selectionIndex(in: .failed, items: state.items(in: .failed)) == 0)
        (state, _) = Fixture.run(state, [.key(.enter)])
        #expect(state.overlay == nil && state.message?.text.hasPrefix("2 matches for \"502\"") == true)
        (state, _) = Fixture.run(state, Fixture.keys("n"))
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[2]))
        #expect(state.message?.text.hasPrefix("match 2 of 2") == true)
        (state, _) = Fixture.run(state, Fixture.keys("n"))
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[0]), "n wraps round")
        (state, _) = Fixture.run(state, Fixture.keys("N"))
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[2]), "N wraps back")
        // Matches are highlighted in every visible cell, the selected row too.
        let grid = render(state, size: Size(width: 120, height: 40))
        let matched = (0..<grid.size.height).flatMap { y in (0..<grid.size.width).filter { grid[$0, y].role == .match }.map { (x: $0, y: y) } }
        let text = matched.map { String(grid[$0.x, $0.y].character) }.joined()
        #expect(text == "502502", "two cells show 502: \(text)")
        #expect(grid.text.contains(", find \"502\": 2"))
        (state, _) = Fixture.run(state, [.key(.escape)])
        #expect(state.search == nil)
        #expect(Fixture.run(failed, Fixture.keys("n")).0.message?.text.hasPrefix("nothing to find") == true)
        #expect(Fixture.run(failed, Fixture.keys("fzzz") + [.key(.enter)]).0.message?.text == "no match for \"zzz\" in Failed syncs")
    }

    // MARK: Detail and y

    @Test func yCopiesAWsyncCommandForTheRow() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("y"))
        let reset = "wsync reset --workspace 00000000-0000-0000-0000-000000000101 --repo acme/api"
        #expect(commands == [.copyToClipboard(reset)])
        #expect(state.message?.text == "copied: \(reset)")
        var pointed = Fixture.state(focus: .stuck)
        pointed.commandDatabaseArgument = "--database-url 'host=/tmp/pg dbname=wsync'"
        (state, commands) = Fixture.run(pointed, Fixture.keys("jy"))
        #expect(commands == [.copyToClipboard("wsync sync --workspace 00000000-0000-0000-0000-000000000104 --repo rocket/launch --database-url 'host=/tmp/pg dbname=wsync'")])
        (state, commands) = Fixture.run(failed, Fixture.keys("ey"))
        #expect(commands.isEmpty && state.message?.text.hasPrefix("y copies the command for one row") == true)
        #expect(shellQuoted("evil/\u{1B}[31mred") == "'evil/\u{1B}[31mred'")
        #expect(shellQuoted("it's") == "'it'\\''s'")
    }

    @Test func theDetailShowsTheIdsAndKeysActFromIt() {
        var (state, commands) = Fixture.run(failed, [.key(.enter)])
        #expect(commands == [.loadDetail(jobId: Fixture.id(1))])
        (state, _) = Fixture.run(state, [.detailLoaded(jobId: Fixture.id(1), runs: Fixture.runs, job: Fixture.job)])
        guard case .detail(_, let runs?, let job?, _) = state.overlay else { Issue.record("not loaded"); return }
        #expect(runs == Fixture.runs && job == Fixture.job)
        let screen = render(state, size: Size(width: 120, height: 40)).text
        for expected in ["workspace id  00000000-0000-0000-0000-000000000101", "job id        00000000-0000-0000-0000-000000000001",
                         "frequency     every 6 h", "priority      80", "active        yes", "lease         none",
                         "next sync     2026-11-29 14:12 UTC (in 10m)", "command (y copies it)",
                         "wsync reset --workspace 00000000-0000-0000-0000-000000000101 --repo acme/api",
                         "response body"] {
            #expect(screen.contains(expected), "\(expected) missing:\n\(screen)")
        }
        // r, s, y and m act on the row the detail shows; the detail stays open.
        (state, commands) = Fixture.run(state, Fixture.keys("r"))
        #expect(commands == [.perform(.reset([row(0)]))])
        guard case .detail = state.overlay else { Issue.record("the detail closed"); return }
        (state, commands) = Fixture.run(state, Fixture.keys("y"))
        #expect(commands == [.copyToClipboard("wsync reset --workspace 00000000-0000-0000-0000-000000000101 --repo acme/api")])
        (state, _) = Fixture.run(state, Fixture.keys("m"))
        #expect(state.markedItems(in: .failed) == [.failed(Fixture.failed[0])])
        // s spends API budget: from the detail too it asks, with the cost, and syncs on y.
        let (_, syncCommands) = Fixture.run(state, Fixture.keys("sy"))
        #expect(syncCommands == [.estimate(.syncRow(row(0))), .perform(.syncRow(row(0)))])
        // Read-only refuses the mutating ones there too.
        let readOnly = Fixture.run(Fixture.state(focus: .failed, readOnly: true), [.key(.enter)] + Fixture.keys("r"))
        #expect(readOnly.1 == [.loadDetail(jobId: Fixture.id(1))])
        #expect(readOnly.0.message?.text == "read-only session: r (reset) is disabled")
    }

    // MARK: Audit view

    @Test func theAuditViewMovesFiltersAndOpensAnEntry() {
        var (state, _) = Fixture.run(failed, Fixture.keys("a") + [.auditLoaded(Fixture.audit)])
        guard case .audit(let view) = state.overlay else { Issue.record("no audit view"); return }
        #expect(view.shown.map(\.id) == [42, 41] && view.selected == 0)
        (state, _) = Fixture.run(state, Fixture.keys("j") + [.key(.enter)])
        guard case .audit(let opened) = state.overlay else { Issue.record("closed"); return }
        #expect(opened.opened?.id == 41)
        let entry = render(state, size: Size(width: 80, height: 24)).text
        #expect(entry.contains("Audit entry #41") && entry.contains("summary       reset 1 failed sync"), "\(entry)")
        (state, _) = Fixture.run(state, [.key(.escape)] + Fixture.keys("/outage"))
        guard case .audit(let filtered) = state.overlay else { Issue.record("closed"); return }
        #expect(filtered.opened == nil && filtered.editingFilter && filtered.shown.map(\.id) == [42], "parameters are searched")
        (state, _) = Fixture.run(state, [.key(.enter), .key(.enter)])
        guard case .audit(let full) = state.overlay else { Issue.record("closed"); return }
        #expect(full.opened?.id == 42)
        let screen = render(state, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("reason = GitHub outage") && screen.contains("undone"), "\(screen)")
        // Esc: back to the list, then clears the filter, then closes.
        (state, _) = Fixture.run(state, [.key(.escape), .key(.escape)])
        guard case .audit(let cleared) = state.overlay else { Issue.record("closed too early"); return }
        #expect(cleared.filter.isEmpty && cleared.shown.count == 2)
        #expect(Fixture.run(state, [.key(.escape)]).0.overlay == nil)
    }

    // MARK: Event feed and history

    @Test func theEventFeedShowsRunsAndActionsWithoutOpeningAnything() {
        let large = render(failed, size: Size(width: 120, height: 40)).text
        for expected in ["Events (UTC): sync runs and operator actions", "oncall", "#43 reset", "acme/api (acme)",
                         "reset 1 sync: attempts 0", "sync-1:4242", "failed: GitHub 502 Server Error",
                         "ok: 12 issues, 3 calls, 2s", "#42 stop-all", "stopped 120 active syncs (undone)"] {
            #expect(large.contains(expected), "\(expected) missing:\n\(large)")
        }
        // Four lines: the action of five minutes ago keeps its place, the oldest run gives way; eight lines show all.
        #expect(!large.contains("running…"))
        let huge = render(failed, size: Size(width: 200, height: 60)).text
        #expect(huge.contains("manual run") && huge.contains("running…"), "\(huge)")
        let small = render(failed, size: Size(width: 80, height: 24)).text.split(separator: "\n").map(String.init)
        let feed = small.first { $0.hasPrefix("events ") }
        #expect(feed?.contains("#43 reset") == true, "the newest event on one line at 80×24:\n\(small.joined(separator: "\n"))")
    }

    @Test func historySparklinesShowTheLastDay() {
        let screen = render(Fixture.state(), size: Size(width: 120, height: 40)).text
        let failures = screen.split(separator: "\n").first { $0.contains("failed 24h ") }.map(String.init) ?? ""
        #expect(failures.contains("⣀") && failures.contains(" 29 "), "\(failures)")
        let left = screen.split(separator: "\n").first { $0.contains("left 24h ") }.map(String.init) ?? ""
        #expect(left.contains("low 5%"), "\(screen)")
        var ascii = Fixture.state()
        ascii.glyphs = .ascii
        let plain = render(ascii, size: Size(width: 120, height: 40)).text
        let allASCII = plain.unicodeScalars.allSatisfy { $0.isASCII }
        #expect(allASCII)
        #expect(plain.contains("failed 24h _") && plain.contains("left 24h "), "\(plain)")
    }

    // MARK: Mouse

    @Test func aClickFocusesAPaneAndSelectsTheRowTheWheelScrolls() {
        let size = Size(width: 120, height: 40)
        let layoutStart = Fixture.state()
        // The failed pane's first row, where the screen draws it (the top row is as tall as its content).
        let firstRow = render(layoutStart, size: size).text.components(separatedBy: "\n").firstIndex { $0.contains("acme/api") } ?? 0
        var (state, commands) = Fixture.run(layoutStart, [.mouse(MouseEvent(kind: .press, x: 10, y: firstRow + 2, screen: size))])
        #expect(commands.isEmpty)
        #expect(state.focus == .failed && state.selectedItem(in: .failed) == .failed(Fixture.failed[2]))
        (state, _) = Fixture.run(state, [.mouse(MouseEvent(kind: .wheelUp, x: 10, y: firstRow, screen: size))])
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[0]))
        (state, _) = Fixture.run(state, [.mouse(MouseEvent(kind: .wheelDown, x: 10, y: firstRow, screen: size))])
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[3]))
        // A click on the tiers pane focuses it; below the rows selects nothing.
        (state, _) = Fixture.run(state, [.mouse(MouseEvent(kind: .press, x: 100, y: 30, screen: size))])
        #expect(state.focus == .tiers)
        // The wheel never answers a dialog; M turns the mouse off and a click then does nothing.
        let dialog = Fixture.run(failed, Fixture.keys("R") + [.mouse(MouseEvent(kind: .wheelDown, x: 10, y: 10, screen: size)),
                                                              .mouse(MouseEvent(kind: .press, x: 10, y: 10, screen: size))]).0
        guard case .confirm = dialog.overlay else { Issue.record("the mouse answered the dialog"); return }
        (state, commands) = Fixture.run(failed, Fixture.keys("M") + [.mouse(MouseEvent(kind: .press, x: 100, y: 30, screen: size))])
        #expect(commands == [.setMouse(enabled: false)] && state.focus == .failed && !state.mouseEnabled)
        #expect(Fixture.run(state, Fixture.keys("M")).1 == [.setMouse(enabled: true)])
        // The wheel scrolls a view.
        let help = Fixture.run(failed, Fixture.keys("?") + [.mouse(MouseEvent(kind: .wheelDown, x: 10, y: 10, screen: size))]).0
        #expect(help.overlay == .help(scroll: 3))
    }

    /// Key bindings are data: every new key is in the one table, so dispatch, footer and help read it.
    @Test func theNewKeysAreInTheBindingTable() {
        let keys = KeyBinding.all.map(\.keys)
        for key in ["m", "o/O", "f", "n/N", "y", "M", "Esc"] { #expect(keys.contains(key), "\(key)") }
        let tall = Size(width: 200, height: 120)
        let help = render(Fixture.run(failed, [.resized(tall)] + Fixture.keys("?")).0, size: tall).text
        for binding in KeyBinding.all where ["m", "o/O", "f", "n/N", "y", "M", "Esc"].contains(binding.keys) {
            #expect(help.contains(binding.help), "help lacks \(binding.keys):\n\(help)")
        }
        #expect(render(failed, size: Size(width: 200, height: 60)).text.contains("m mark"))
    }
}

/// The feed keeps an operator's action in view however busy the workers are.
@Suite struct EventFeedSelectionTests {
    static func event(_ kind: RecentEvent.Kind, _ id: Int64, secondsAgo: TimeInterval) -> [String: Any] {
        ["kind": kind.rawValue, "id": id, "at": Fixture.time(-secondsAgo), "actor": kind == .run ? "worker:h:1:ab" : "oncall",
         "action": kind == .run ? "schedule" : "reset", "status": kind == .run ? "success" : "done", "summary": "reset 1 sync"]
    }

    @Test func aRecentActionIsNotCrowdedOutByRuns() {
        let runs = (0..<30).map { Self.event(.run, Int64(100 - $0), secondsAgo: Double($0)) }
        let busy = Fixture.snapshot { $0["events"] = runs + [Self.event(.action, 7, secondsAgo: 45)] }
        let state = Fixture.run(Fixture.state(), [.snapshot(busy)]).0
        let screen = render(state, size: Size(width: 120, height: 40)).text
        let feed = screen.split(separator: "\n").filter { $0.contains("14:0") && $0.contains("│ ") && ($0.contains(" run ") || $0.contains("#7 reset")) }
        #expect(feed.count == 4 && feed.last?.contains("#7 reset") == true, "\(screen)")
        let line = render(state, size: Size(width: 80, height: 24)).text.split(separator: "\n").first { $0.hasPrefix("events ") }
        #expect(line?.contains("#7 reset") == true, "the one line shows an action of the last minute")
        let later = Fixture.run(state, [.tick(Fixture.now + 120)]).0
        let old = render(later, size: Size(width: 80, height: 24)).text.split(separator: "\n").first { $0.hasPrefix("events ") }
        #expect(old?.contains(" run ") == true, "after a minute the newest run takes the line again")
    }
}
