import Dashboard
import Foundation
import Testing

/// Scripted key sequences against state: what each key does, and every dialog's yes, no and cancel paths.
@Suite struct UpdateTests {
    let failed = Fixture.state(focus: .failed)

    func row(_ n: Int) -> RowRef {
        let r = Fixture.failed[n]
        return RowRef(jobId: r.jobId, workspaceId: r.workspaceId, workspace: r.workspace, repository: r.repository)
    }

    @Test func focusMovesWithTabShiftTabAndDigits() {
        var state = Fixture.state()
        state = Fixture.run(state, [.key(.tab)]).0
        #expect(state.focus == .failed)
        state = Fixture.run(state, [.key(.backTab), .key(.backTab)]).0
        #expect(state.focus == .tiers)
        state = Fixture.run(state, Fixture.keys("3")).0
        #expect(state.focus == .stuck)
    }

    @Test func resetActsOnTheSelectedRowEvenAfterARefreshReordersRows() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("jj"))
        #expect(commands.isEmpty)
        // A refresh moves the selected row (index 2, nihon/設定) to the top.
        let reordered = Fixture.snapshot { json in
            let rows = Fixture.failedJSON
            json["failed"] = [rows[2], rows[0], rows[1], rows[3]]
        }
        (state, commands) = Fixture.run(state, [.snapshot(reordered)] + Fixture.keys("r"))
        #expect(commands == [.perform(.reset([row(2)]))])
        #expect(state.inFlight == [.reset([row(2)])])
    }

    @Test func wOpensTheWorkersViewEvenReadOnlyAndClosesItAgain() {
        let readOnly = Fixture.state(focus: .tiers, readOnly: true)
        let (open, commands) = Fixture.run(readOnly, Fixture.keys("wj"))
        #expect(open.overlay == .workers(scroll: 1))
        #expect(commands.isEmpty, "the view shows the snapshot; it loads nothing")
        #expect(Fixture.run(open, Fixture.keys("w")).0.overlay == nil)
        #expect(Fixture.run(open, [.key(.escape)]).0.overlay == nil)
    }

    @Test func movementClampsAndJumps() {
        let (state, _) = Fixture.run(failed, Fixture.keys("kkG") + [.key(.down)])
        #expect(state.selectedItem(in: .failed) == .failed(Fixture.failed[3]))
        #expect(Fixture.run(state, Fixture.keys("g")).0.selectedItem(in: .failed) == .failed(Fixture.failed[0]))
    }

    /// The snapshot carries the first failed rows only; the title and the dialog count all of them.
    @Test func moreFailedRowsThanTheSnapshotHoldsAreCountedInFull() {
        let many = Fixture.snapshot { $0["failed_total"] = 1234 }
        let (state, _) = Fixture.run(failed, [.snapshot(many)] + Fixture.keys("R"))
        guard case .confirm(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.title == "Reset all 1234 failed rows?")
        #expect(dialog.lines.contains("… and 1230 more"))
        let screen = render(Fixture.run(failed, [.snapshot(many)]).0, size: Size(width: 120, height: 40)).text
        #expect(screen.contains("2 Failed syncs (4 of 1234)"), "\(screen)")
    }

    @Test func resetAllFailedConfirmsDefaultingToNo() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("R"))
        guard case .confirm(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.title == "Reset all 4 failed rows?")
        #expect(dialog.lines.contains("• acme/api (acme)"))
        #expect(commands == [.estimate(.resetAllFailed)], "the dialog asks the engine for the count and the cost")
        for answer in [Key.enter, .character("n"), .escape, .character("x")] {
            (state, commands) = Fixture.run(Fixture.run(failed, Fixture.keys("R")).0, [.key(answer)])
            #expect(commands.isEmpty && state.overlay == nil, "answer \(answer) must mean No")
        }
        (state, commands) = Fixture.run(failed, Fixture.keys("Ry"))
        #expect(commands == [.estimate(.resetAllFailed), .perform(.resetAllFailed)])
    }

    @Test func groupedErrorsResetTheWholeGroup() {
        let (state, commands) = Fixture.run(failed, Fixture.keys("e"))
        #expect(commands.isEmpty)
        guard case .group(let top)? = state.selectedItem(in: .failed) else { Issue.record("no group"); return }
        #expect(top.rows.count == 2)
        let (confirmed, done) = Fixture.run(state, Fixture.keys("Ry"))
        #expect(done == [.estimate(.reset([row(0), row(2)])), .perform(.reset([row(0), row(2)]))])
        #expect(confirmed.overlay == nil)
        // `r` on a group asks too: it is more than one row.
        let (asked, askedCommands) = Fixture.run(state, Fixture.keys("r"))
        guard case .confirm(let dialog) = asked.overlay else { Issue.record("r on a group did not ask"); return }
        #expect(dialog.title == "Reset 2 rows?" && askedCommands == [.estimate(.reset([row(0), row(2)]))])
        #expect(dialog.lines.first == "2 failed rows share the error: GitHub 502 Server Error (retrying with backoff)")
    }

    @Test func emergencyStopNeedsTheTypedWord() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("X"))
        guard case .typedConfirmation(let dialog) = state.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.lines.first == "Active rows to deactivate: 120")
        (state, commands) = Fixture.run(state, Fixture.keys("stop") + [.key(.enter)])
        #expect(commands.isEmpty && state.overlay == nil)
        (state, commands) = Fixture.run(failed, Fixture.keys("XSTOPP") + [.key(.backspace), .key(.enter)])
        #expect(commands == [.perform(.stopAll(reason: "emergency stop from the dashboard"))])
        (state, commands) = Fixture.run(failed, Fixture.keys("XSTOP") + [.key(.escape)])
        #expect(commands.isEmpty && state.overlay == nil)
    }

    @Test func undoOffersTheLastActionOfThisSession() {
        let stop = Operation.stopAll(reason: "emergency stop from the dashboard")
        let action = UndoableAction(actionId: 42, summary: "emergency stop")
        var (state, commands) = Fixture.run(failed, Fixture.keys("u"))
        #expect(commands.isEmpty && state.message?.text == "nothing to undo in this session")
        (state, commands) = Fixture.run(failed, [.operationFinished(stop, OperationOutcome(message: "stopped", undoable: action))] + Fixture.keys("uy"))
        #expect(commands == [.perform(.undo(action))])
        (state, _) = Fixture.run(state, [.operationFinished(.undo(action), OperationOutcome(message: "resumed 120 rows"))])
        #expect(state.undoStack.isEmpty && state.inFlight.isEmpty)
        #expect(state.message?.text == "resumed 120 rows")
    }

    @Test func slowDownConfirms() {
        let rateLimit = Fixture.state(focus: .rateLimit)
        #expect(Fixture.run(rateLimit, Fixture.keys("Ly")).1 == [.perform(.slowDown)])
        #expect(Fixture.run(rateLimit, Fixture.keys("Ln")).1.isEmpty)
    }

    /// The binding table scopes its keys: outside its panes a key does nothing but say where it works.
    @Test func aKeyOutsideItsPanesDoesNothing() {
        let (state, commands) = Fixture.run(failed, Fixture.keys("L"))
        #expect(commands.isEmpty && state.overlay == nil)
        #expect(state.message?.text == "L (slow down) works in Rate limit, Tier usage")
        #expect(!Fixture.run(failed, Fixture.keys("Ly")).1.contains(.perform(.slowDown)), "no dialog was open for y to answer")
        #expect(Fixture.run(Fixture.state(focus: .tiers), Fixture.keys("e")).0.groupFailedByError == false)
        for binding in KeyBinding.all {
            for (key, _) in binding.actions {
                #expect(KeyBinding.binding(for: key) == binding, "\(key) is bound twice")
            }
        }
        for table in [KeyBinding.views, KeyBinding.dialogs] {
            for binding in table {
                for (key, action) in binding.actions {
                    #expect(KeyBinding.action(for: key, in: binding.context) == action, "\(key) is bound twice in \(binding.context)")
                }
            }
        }
    }

    /// Syncs spend API budget: `s` and `S` ask first, and run only on `y`.
    @Test func syncKeysRunWithoutBlockingAndReportBack() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("sy"))
        #expect(commands == [.estimate(.syncRow(row(0))), .perform(.syncRow(row(0)))])
        (state, commands) = Fixture.run(state, Fixture.keys("jSy"))
        #expect(commands == [.estimate(.syncWorkspace(workspaceId: Fixture.id(101), name: "acme")),
                             .perform(.syncWorkspace(workspaceId: Fixture.id(101), name: "acme"))])
        #expect(state.inFlight.count == 2)
        (state, _) = Fixture.run(state, [.operationFailed(.syncRow(row(0)), message: "GitHub 502")])
        #expect(state.inFlight.count == 1)
        #expect(state.message?.text == "sync acme/api in acme failed: GitHub 502")
    }

    @Test func rowKeysOutsideListsExplainThemselves() {
        let (state, commands) = Fixture.run(Fixture.state(focus: .status), Fixture.keys("r"))
        #expect(commands.isEmpty)
        #expect(state.message?.text == "select a row in Failed syncs or Stuck repos first")
    }

    @Test func readOnlyRefusesEveryMutatingKey() {
        let readOnly = Fixture.state(focus: .failed, readOnly: true)
        for key in "rRsSXuL" {
            let (state, commands) = Fixture.run(readOnly, Fixture.keys(String(key)))
            #expect(commands.isEmpty && state.overlay == nil, "\(key) must be refused")
            #expect(state.message?.text.hasPrefix("read-only session: \(key)") == true)
        }
        let footerKeys = KeyBinding.available(in: .failed, readOnly: true).map(\.keys)
        #expect(!footerKeys.contains("r") && !footerKeys.contains("X") && footerKeys.contains("a"))
    }

    @Test func filterNarrowsWhileTypingAndInverts() {
        var (state, _) = Fixture.run(failed, Fixture.keys("/502"))
        #expect(state.items(in: .failed).count == 2)
        (state, _) = Fixture.run(state, [.key(.enter)])
        #expect(state.overlay == nil && state.filters[.failed]?.display == "502")
        (state, _) = Fixture.run(state, Fixture.keys("/") + [.key(.backspace), .key(.backspace), .key(.backspace)] + Fixture.keys("!502") + [.key(.enter)])
        #expect(state.items(in: .failed).map(\.key) == [Fixture.id(2).uuidString, Fixture.id(4).uuidString])
        (state, _) = Fixture.run(state, Fixture.keys("/") + [.key(.escape)])
        #expect(state.filters[.failed] == nil && state.items(in: .failed).count == 4)
    }

    @Test func aPanesRowCountIsTheCountOfItsItemsFilteredGroupedOrNot() {
        let states = [
            DashboardState(database: "localhost/wsync", readOnly: false, interval: 2, now: Fixture.now, themeNames: ["default"], themeName: "default"),
            failed,
            Fixture.run(failed, Fixture.keys("/502") + [.key(.enter)]).0,
            Fixture.run(failed, Fixture.keys("/!502") + [.key(.enter)]).0,
            Fixture.run(failed, Fixture.keys("e")).0,
            Fixture.run(Fixture.run(failed, Fixture.keys("e")).0, Fixture.keys("/502") + [.key(.enter)]).0,
            Fixture.state(focus: .stuck),
            Fixture.run(Fixture.state(focus: .stuck), Fixture.keys("/zzz-no-such-row") + [.key(.enter)]).0,
        ]
        for (index, state) in states.enumerated() {
            for pane in Pane.allCases {
                #expect(state.itemCount(in: pane) == state.items(in: pane).count, "state \(index), pane \(pane)")
            }
        }
        #expect(states[4].groupFailedByError && states[2].filters[.failed] != nil && states[7].items(in: .stuck).isEmpty)
    }

    @Test func detailLoadsRunsForTheSelectedRowAndEscapeCloses() {
        var (state, commands) = Fixture.run(failed, Fixture.keys("j") + [.key(.enter)])
        #expect(commands == [.loadDetail(jobId: Fixture.id(2))])
        (state, _) = Fixture.run(state, [.detailLoaded(jobId: Fixture.id(9), runs: [])])
        guard case .detail(_, nil, nil, _) = state.overlay else { Issue.record("runs of another row accepted"); return }
        (state, _) = Fixture.run(state, [.detailLoaded(jobId: Fixture.id(2), runs: []), .key(.escape)])
        #expect(state.overlay == nil)
    }

    @Test func auditViewLoadsOnOpen() {
        let (state, commands) = Fixture.run(failed, Fixture.keys("a") + [.auditLoaded([])])
        #expect(commands == [.loadAudit])
        #expect(state.overlay == .audit(AuditView(entries: [])))
    }

    @Test func pollingIntervalAndThemeAndQuit() {
        #expect(Fixture.run(failed, Fixture.keys(" ")).1 == [.setPolling(paused: true)])
        #expect(Fixture.run(failed, Fixture.keys("  ")).1 == [.setPolling(paused: true), .setPolling(paused: false)])
        #expect(Fixture.run(failed, Fixture.keys("++")).1 == [.setInterval(seconds: 5), .setInterval(seconds: 10)])
        #expect(Fixture.run(failed, Fixture.keys("---")).1 == [.setInterval(seconds: 1), .setInterval(seconds: 0.5)])
        #expect(Fixture.run(failed, Fixture.keys("tt")).1 == [.useTheme(name: "light"), .useTheme(name: "mono")])
        #expect(Fixture.run(failed, Fixture.keys("q")).1 == [.quit])
        #expect(Fixture.run(failed, Fixture.keys("X") + [.key(.controlC)]).1 == [.quit])
    }

    @Test func connectionLossKeepsDataAndRecoveryIsAnnounced() {
        var (state, _) = Fixture.run(failed, [.connectionLost(reason: "gone", at: Fixture.now + 5), .tick(Fixture.now + 60)])
        #expect(state.snapshot == Fixture.snapshot)
        #expect(state.freshness == .stale)
        let later = Fixture.snapshot { $0["taken_at"] = Fixture.time(61) }
        (state, _) = Fixture.run(state, [.snapshot(later)])
        #expect(state.connection == .live && state.freshness == .fresh)
        #expect(state.message?.text == "reconnected to localhost/wsync")
    }

    @Test func freshnessTurnsAmberThenRed() {
        #expect(Fixture.run(failed, [.tick(Fixture.now + 4)]).0.freshness == .aging)
        #expect(Fixture.run(failed, [.tick(Fixture.now + 11)]).0.freshness == .stale)
    }
}
