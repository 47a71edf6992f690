import Dashboard
import Foundation
import SyncEngine
import Testing

/// The dashboard's second round of fixes, each on the cell grid: what a scrolled list shows, dialogs that fit or say
/// what they cut, counts after a stop, rows queued for retry, keys that ask with the count and the cost, the
/// rate-limit pane's wording, columns that stay at 80 columns, and the layout's use of space.
@Suite struct ScreenRulesTests {
    let failed = Fixture.state(focus: .failed)

    /// `count` failed rows, most attempts first.
    static func manyFailed(_ count: Int) -> DashboardSnapshot {
        Fixture.snapshot { json in
            json["failed"] = (0..<count).map { n in
                Fixture.failedRow(200 + n, workspace: 101, "acme", "acme/repo-\(n)", error: "GitHub 502", attempts: 9 - n % 9, lastAttempt: -60)
            }
            json["failed_total"] = count
        }
    }

    static func lines(_ grid: CellGrid) -> [String] { grid.text.components(separatedBy: "\n") }

    // MARK: Bug 1: rows above

    @Test func aScrolledListSaysHowManyRowsLieAboveAndBelow() {
        let size = Size(width: 80, height: 24)
        let top = Fixture.run(failed, [.snapshot(Self.manyFailed(30))]).0
        var screen = render(top, size: size).text
        let shown = screen.components(separatedBy: "\n").filter { $0.contains("acme/repo-") }.count
        #expect(shown > 1 && screen.contains("↓ \(30 - shown) more") && !screen.contains("↑"), "\(screen)")
        let bottom = Fixture.run(top, Fixture.keys("G")).0
        screen = render(bottom, size: size).text
        #expect(screen.contains("↑ \(30 - shown) more") && !screen.contains("↓ "), "\(screen)")
        let middle = Fixture.run(bottom, Array(repeating: Event.key(.character("k")), count: 16)).0
        screen = render(middle, size: size).text
        #expect(screen.contains("↑ \(30 - shown - 16) more") && screen.contains("↓ 16 more"), "\(screen)")
        // The arrow sits on the pane's top border, after its title, and in ASCII too.
        let border = Self.lines(render(bottom, size: size)).first { $0.contains("2 Failed syncs") } ?? ""
        #expect(border.hasPrefix("┌ 2 Failed syncs (30) ") && border.hasSuffix(" ↑ \(30 - shown) more ─┐"), "\(border)")
        var ascii = bottom
        ascii.glyphs = .ascii
        #expect(render(ascii, size: size).text.contains("^ \(30 - shown) more"))
        // Views say it too: help scrolled to its end.
        let help = Fixture.run(failed, [.resized(size)] + Fixture.keys("?") + [.key(.end)]).0
        #expect(render(help, size: size).text.contains("↑ "), "help scrolled to its end shows no arrow up")
    }

    // MARK: Bug 2: every dialog fits, or says what it cut

    @Test(arguments: [Size(width: 40, height: 10), Size(width: 40, height: 12), Size(width: 80, height: 24), Size(width: 120, height: 40)])
    func everyDialogShowsHowToAnswerAndSaysWhatItCut(size: Size) {
        let estimate = Self.estimate(rows: 4, calls: 20, remaining: 230, reserve: 100)
        let dialogs: [(String, DashboardState)] = [
            ("R", Fixture.run(failed, Fixture.keys("R") + [.estimateLoaded(.resetAllFailed, .loaded(estimate))]).0),
            ("R loading", Fixture.run(failed, Fixture.keys("R")).0),
            ("X", Fixture.run(failed, Fixture.keys("XST")).0),
            ("s", Fixture.run(failed, Fixture.keys("s")).0),
            ("S", Fixture.run(failed, Fixture.keys("S") + [.estimateLoaded(.syncWorkspace(workspaceId: Fixture.id(101), name: "acme"),
                                                                          .loaded(Self.estimate(rows: 18, calls: 40, remaining: 120, reserve: 100)))]).0),
            ("L", Fixture.run(Fixture.state(focus: .rateLimit), Fixture.keys("L")).0),
            ("group", Fixture.run(failed, Fixture.keys("er")).0),
        ]
        for (name, state) in dialogs {
            let screen = render(state, size: size).text
            let typed = name == "X"
            #expect(screen.contains(typed ? "Type STOP, then Enter · Esc cancels" : "y yes"), "\(name) at \(size): no way to answer\n\(screen)")
            if typed { #expect(screen.contains("> ST▏"), "\(name): the input is cut\n\(screen)") }
            guard case .confirm(let dialog)? = state.overlay else { continue }
            // Every target listed, or the rest counted.
            let text = dialog.text
            let listed = text.targets.filter { screen.contains(DisplayWidth.truncate($0, to: size.width - 2)) }.count
            if listed < text.targetTotal {
                #expect(screen.contains("… and \(text.targetTotal - listed) more"), "\(name) at \(size) lists \(listed) of \(text.targetTotal)\n\(screen)")
            }
            // Every line of the text shown, or the cut counted.
            let shown = text.lines.filter { !$0.isEmpty && screen.contains(String($0.prefix(12))) }.count
            if shown < text.lines.filter({ !$0.isEmpty && !$0.hasPrefix("• ") && !$0.hasPrefix("… and") }).count - 1 {
                #expect(screen.contains("more line") || screen.contains("… and"), "\(name) at \(size) cut silently\n\(screen)")
            }
        }
    }

    @Test func theResetAllDialogAt40x12ListsWhatFitsAndCountsTheRest() {
        let state = Fixture.run(failed, Fixture.keys("R") + [.estimateLoaded(.resetAllFailed, .loaded(Self.estimate(rows: 4, calls: 20, remaining: 230, reserve: 100)))]).0
        let screen = render(state, size: Size(width: 40, height: 12)).text
        let listed = ["• acme/api (acme)", "• acme/web (acme)", "• nihon/設定", "• evil/"].filter(screen.contains).count
        #expect(screen.contains("… and \(4 - listed) more") || listed == 4, "\(screen)")
        #expect(screen.contains("Cost: about 20 API calls"), "\(screen)")
        expectGolden("confirm-reset-all-estimated-40x12", render(state, size: Size(width: 40, height: 12)))
        expectGolden("typed-stop-40x12", render(Fixture.run(failed, Fixture.keys("XST")).0, size: Size(width: 40, height: 12)))
    }

    // MARK: Bug 3: a stop is said, and counted consistently

    static var stopped: DashboardSnapshot {
        Fixture.snapshot { json in
            var status = json["status"] as! [String: Any]
            status["health"] = ["total_workspaces": 0, "successful": 0, "failed": 0, "avg_hours_since_sync": NSNull()]
            status["partial"] = 0
            status["never_synced"] = 0
            status["due_now"] = 0
            status["inactive"] = 127
            status["freshness"] = NSNull()
            status["pause"] = ["is_paused": true, "reason": "emergency stop from the dashboard", "paused_by": "oncall",
                               "paused_at": Fixture.time(-60), "action_id": 42, "stopped_rows": 120]
            json["status"] = status
        }
    }

    @Test func afterAStopThePanesSayWhatIsStoppedAndCountTheSameFailures() {
        let state = Fixture.run(Fixture.state(), [.snapshot(Self.stopped)]).0
        let grid = render(state, size: Size(width: 80, height: 24))
        let screen = grid.text
        #expect(screen.contains("STOPPED 120 rows 1m ago: #42 oncall"), "\(screen)")
        let wide = render(state, size: Size(width: 160, height: 40)).text
        #expect(wide.contains("120 rows stopped by action #42"), "the banner does not say what is stopped\n\(wide)")
        // Pane 1 counts the failures pane 2 lists, though none of them is active.
        let failedCell = Self.lines(grid).first { $0.contains("│failed") } ?? ""
        #expect(failedCell.contains("failed           4"), "\(failedCell)")
        #expect(screen.contains("2 Failed syncs (4)"))
        #expect(screen.contains("inactive       127"), "\(screen)")
        expectGolden("stopped-80x24", grid)
        #expect(Fixture.snapshot.failedInactive == 0 && Self.stopped.failedInactive == 4)
    }

    // MARK: Bug 4: reset rows are queued for retry, and a second reset asks for nothing

    static var oneQueued: DashboardSnapshot {
        Fixture.snapshot { json in
            var rows = Fixture.failedJSON
            rows[3]["sync_attempts"] = 0
            rows[3]["last_sync_error"] = NSNull()
            rows[3]["queued_for_retry"] = true
            json["failed"] = rows
            json["failed_queued"] = 1
        }
    }

    @Test func resetRowsAreMarkedQueuedForRetryAndLeftOutOfTheNextReset() {
        let state = Fixture.run(failed, [.snapshot(Self.oneQueued)]).0
        let screen = render(state, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("2 Failed syncs (4, 1 queued)"), "\(screen)")
        let row = screen.components(separatedBy: "\n").first { $0.contains("evil/") } ?? ""
        #expect(row.contains("   0 queued for retry: reset, not synced since"), "\(row)")
        let (asked, commands) = Fixture.run(state, Fixture.keys("R"))
        guard case .confirm(let dialog) = asked.overlay else { Issue.record("R did not ask"); return }
        #expect(dialog.title == "Reset all 3 failed rows?" && !dialog.lines.contains { $0.contains("evil/") })
        #expect(commands == [.estimate(.resetAllFailed)])
        // Everything queued: R says so and asks nothing.
        let allQueued = Fixture.snapshot { $0["failed_queued"] = 4 }
        let (again, none) = Fixture.run(failed, [.snapshot(allQueued)] + Fixture.keys("R"))
        #expect(none.isEmpty && again.overlay == nil)
        #expect(again.message?.text == "nothing to reset: all 4 failed rows are already queued for retry")
    }

    // MARK: Bug 6: keys that spend API budget or act on many rows ask with the count and the cost

    static func estimate(rows: Int, calls: Int, remaining: Int?, reserve: Int?, history: Int? = nil, already: Int = 0) -> SyncEstimate {
        Fixture.decode([
            "rows": rows, "names": (0..<min(rows, 8)).map { "acme/repo-\($0) (acme)" }, "already_reset": already,
            "api_calls": calls, "rows_with_history": history ?? rows, "remaining": remaining as Any? ?? NSNull(),
            "reset_at": Fixture.time(1_384), "reserve": reserve as Any? ?? NSNull(),
        ] as [String: Any])
    }

    @Test func syncingAWorkspaceAsksWithTheCountAndTheCostAndWarnsPastTheReserve() {
        let operation = Operation.syncWorkspace(workspaceId: Fixture.id(101), name: "acme")
        var (state, commands) = Fixture.run(failed, Fixture.keys("S"))
        #expect(commands == [.estimate(operation)])
        guard case .confirm(let loading) = state.overlay else { Issue.record("S did not ask"); return }
        #expect(loading.title == "Sync every active row of workspace acme now?")
        #expect(loading.lines.contains("Estimating the API cost…"))
        (state, _) = Fixture.run(state, [.estimateLoaded(operation, .loaded(Self.estimate(rows: 18, calls: 40, remaining: 120, reserve: 100)))])
        guard case .confirm(let dialog) = state.overlay else { Issue.record("the estimate closed the dialog"); return }
        #expect(dialog.text.facts.contains("18 active rows to sync."))
        #expect(dialog.text.warnings == ["Cost: about 40 API calls of the 120 left, leaving 80: under the workers' reserve of 100, so they stop claiming until the reset."])
        #expect(dialog.lines.contains("… and 10 more"))
        let screen = render(state, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("• acme/repo-0 (acme)") && screen.contains("reserve of 100, so they stop claiming"), "\(screen)")
        // An estimate for another dialog is not taken for this one.
        let stale = Fixture.run(state, [.estimateLoaded(.resetAllFailed, .failed("boom"))]).0
        #expect(stale.overlay == state.overlay)
        // A failed estimate says so and still lets the operator answer.
        let failedEstimate = Fixture.run(Fixture.run(failed, Fixture.keys("S")).0, [.estimateLoaded(operation, .failed("connection lost"))]).0
        guard case .confirm(let unknown) = failedEstimate.overlay else { Issue.record("no dialog"); return }
        #expect(unknown.text.warnings == ["API cost unknown: connection lost"])
        #expect(Fixture.run(failedEstimate, Fixture.keys("y")).1 == [.perform(operation)])
    }

    @Test func oneRowResetsAtOnceButItsSyncAsks() {
        let (reset, resetCommands) = Fixture.run(failed, Fixture.keys("r"))
        #expect(reset.overlay == nil && resetCommands.count == 1)
        let (sync, syncCommands) = Fixture.run(failed, Fixture.keys("s"))
        guard case .confirm(let dialog) = sync.overlay else { Issue.record("s did not ask"); return }
        #expect(dialog.title == "Sync acme/api (acme) now?")
        #expect(syncCommands.count == 1)
        let loaded = Fixture.run(sync, [.estimateLoaded(dialog.operation, .loaded(Self.estimate(rows: 1, calls: 3, remaining: 3120, reserve: 100)))]).0
        guard case .confirm(let estimated) = loaded.overlay else { return }
        #expect(estimated.text.facts.contains("Cost: about 3 API calls of the 3120 left, leaving 3117 (the workers' reserve is 10).") == false)
        #expect(estimated.text.facts.contains("Cost: about 3 API calls of the 3120 left, leaving 3117 (the workers' reserve is 100)."))
        #expect(estimated.text.details.last == "The cost is estimated from each row's last run.")
    }

    // MARK: Bug 7: the rate-limit pane's words hold as time passes

    static func rateLimit(_ change: (inout [String: Any]) -> Void) -> DashboardSnapshot {
        Fixture.snapshot { json in
            var gauge = json["rate_limit"] as! [String: Any]
            change(&gauge)
            json["rate_limit"] = gauge
        }
    }

    @Test func aProjectionWhoseTimeHasPassedIsNotShownAsAhead() {
        let soon = Self.rateLimit { g in
            g["remaining"] = 300
            g["burn_per_minute"] = 60.0
            g["projected_exhaustion_at"] = Fixture.time(288)
            g["exhausts_before_reset"] = true
        }
        var state = Fixture.run(Fixture.state(focus: .rateLimit), [.snapshot(soon)]).0
        var screen = render(state, size: Size(width: 80, height: 24)).text
        #expect(screen.contains("exhausted at 14:06:59 (in 4m48s)"), "\(screen)")
        // No newer reading, and the time passes.
        state = Fixture.run(state, [.tick(Fixture.now + 400)]).0
        screen = render(state, size: Size(width: 80, height: 24)).text
        #expect(!screen.contains("(in 0s)") && !screen.contains("exhausted at"), "\(screen)")
        #expect(screen.contains("projected out at 14:06:59 (1m ago);"), "\(screen)")
    }

    @Test func theBurnSaysWhatTimeItCoversAndWhenWorkersStoppedClaiming() {
        let blocked = Fixture.snapshot { json in
            var gauge = json["rate_limit"] as! [String: Any]
            gauge["burn_window_seconds"] = 180.0
            gauge["remaining"] = 80
            json["rate_limit"] = gauge
            var status = json["status"] as! [String: Any]
            status["claim_blockers"] = [["reason": "rate_limit_reserve", "until": Fixture.time(1_384), "since": Fixture.time(-95),
                                         "message": "GitHub reports 80 requests left over 1 tokens, each spent to the live workers' reserve of 100 or cooling down: no claims until the reset"]]
            json["status"] = status
        }
        let state = Fixture.run(Fixture.state(focus: .rateLimit), [.snapshot(blocked)]).0
        let screen = render(state, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("burn 42.0/min over the last 3m00s"), "\(screen)")
        #expect(screen.contains("claims stopped at 14:00:36: reserve 100 reached"), "\(screen)")
        #expect(!screen.contains("over the last 15 min"))
    }

    // MARK: Bug 9: at 80 columns the columns that explain the state stay

    @Test func at80ColumnsTheStuckPaneKeepsWorkspaceAndLeaseAndTheHeaderKeepsTheInterval() {
        var state = Fixture.state(focus: .stuck)
        state.database = "/tmp/wsync-demo-Mvnwqi/socket/wsync_demo_with_a_long_name"
        let grid = render(state, size: Size(width: 80, height: 24))
        let lines = Self.lines(grid)
        let header = lines[0]
        #expect(header.contains("every 2s") && header.contains("data 1s") && header.contains("● live"), "\(header)")
        #expect(header.hasSuffix("wsync_demo_with_a_long_name") && header.contains("…"), "the database is cut from its start: \(header)")
        let stuck = lines.drop { !$0.contains("3 Stuck repos") }
        let columns = stuck.dropFirst().first ?? ""
        #expect(columns.contains("lease") && columns.contains("worksp"), "\(columns)")
        #expect(stuck.dropFirst(2).first?.contains("expired 10m") == true, "\(stuck.joined(separator: "\n"))")
    }

    // MARK: Bug 10: one meaning of pause, columns given their room, plurals, zones

    @Test func pausedPollingIsSaidOnceAndTheFooterOffersToResume() {
        let paused = Fixture.run(Fixture.state(focus: .tiers), Fixture.keys(" ")).0
        let screen = render(paused, size: Size(width: 120, height: 40)).text
        let header = screen.components(separatedBy: "\n")[0]
        #expect(header.contains("polling paused") && !header.contains("● live") && !header.contains("PAUSED"), "\(header)")
        #expect(screen.contains("Space resume polling") && !screen.contains("Space pause polling"), "\(screen)")
        #expect(render(Fixture.state(focus: .tiers), size: Size(width: 120, height: 40)).text.contains("Space pause polling"))
    }

    @Test func wideAndTallScreensGiveColumnsTheirRoomAndListsTheirRows() {
        let long = Fixture.snapshot { json in
            var rows = Fixture.failedJSON
            rows[0]["workspace"] = "Dunder Research Worldwide 34"
            json["failed"] = rows
        }
        let state = Fixture.run(failed, [.snapshot(Self.manyFailed(60)), .snapshot(long)]).0
        let wide = render(state, size: Size(width: 200, height: 60))
        let text = wide.text
        #expect(text.contains("Dunder Research Worldwide 34"), "the workspace is cut though the pane has room\n\(text)")
        // The tiers join the top row; the lists stand side by side with the rest of the height.
        let lines = Self.lines(wide)
        let top = lines[1]
        #expect(top.contains("1 Sync status") && top.contains("4 Rate limit") && top.contains("5 Tier usage"), "\(top)")
        let listsRow = lines.first { $0.contains("2 Failed syncs") } ?? ""
        #expect(listsRow.contains("3 Stuck repos"), "\(listsRow)")
        // The tier pane's columns spread over it instead of one blank gap.
        let tierHeader = lines.first { $0.contains("tier") && $0.contains("api/mo") } ?? ""
        let gaps = tierHeader.components(separatedBy: "│").filter { $0.contains("tier") }.first?
            .split(separator: " ", omittingEmptySubsequences: true).count ?? 0
        #expect(gaps >= 6, "\(tierHeader)")
        #expect(!tierHeader.contains(String(repeating: " ", count: 30)), "\(tierHeader)")
        expectGolden("pane2-200x60", wide)
        // A tall terminal gives the failed list more rows than a short one.
        func failedRows(_ size: Size) -> Int {
            Self.lines(render(Fixture.run(failed, [.snapshot(Self.manyFailed(60))]).0, size: size)).filter { $0.contains("acme/repo-") }.count
        }
        #expect(failedRows(Size(width: 120, height: 60)) > failedRows(Size(width: 120, height: 40)))
        #expect(failedRows(Size(width: 120, height: 40)) > failedRows(Size(width: 120, height: 24)))
        expectGolden("pane2-40x12", render(failed, size: Size(width: 40, height: 12)))
    }

    @Test func countsArePluralizedAndTimesNameTheirZone() {
        let detail = Fixture.run(failed, [.key(.enter), .detailLoaded(jobId: Fixture.id(1), runs: Fixture.runs)]).0
        let screen = render(detail, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("0 issues, 1 call,") && screen.contains("230 issues, 4 calls"), "\(screen)")
        #expect(!screen.contains("1 calls"))
        #expect(screen.contains("2026-11-29 13:52 UTC"), "\(screen)")
        let group = render(Fixture.run(failed, Fixture.keys("e") + [.key(.enter)]).0, size: Size(width: 120, height: 40)).text
        #expect(group.contains("7 attempts") && group.contains("2 attempts"))
        let one = Fixture.snapshot { json in
            var rows = Fixture.failedJSON
            rows[1]["sync_attempts"] = 1
            rows[1]["last_sync_error"] = "GitHub 502 Server Error (retrying with backoff)"
            json["failed"] = rows
        }
        let oneAttempt = render(Fixture.run(failed, [.snapshot(one)] + Fixture.keys("e") + [.key(.enter)]).0, size: Size(width: 120, height: 40)).text
        #expect(oneAttempt.contains("acme/web (acme), 1 attempt") && !oneAttempt.contains("1 attempts"), "\(oneAttempt)")
        let rate = render(Fixture.state(focus: .rateLimit), size: Size(width: 80, height: 24)).text
        #expect(rate.contains("at 14:25:15 UTC"), "\(rate)")
    }

    /// The CLI and the dashboard escape a terminal control the same way (one sanitizer, `SafeText`).
    @Test func escapesReadTheSameAsTheCLIs() {
        let screen = render(failed, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("evil/" + SafeText.line("\u{1B}[31mred")) && SafeText.line("\u{1B}") == "\\e")
    }
}


