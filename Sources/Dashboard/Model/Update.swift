import Foundation
import SyncEngine

/// The dashboard's only state transition: pure, so key sequences are testable without a terminal.
public func update(_ state: DashboardState, _ event: Event) -> (DashboardState, [Command]) {
    var state = state
    let commands = state.apply(event)
    return (state, commands)
}

/// Poll intervals `+` and `-` step through, in seconds.
let intervalSteps: [Double] = [0.5, 1, 2, 5, 10, 30, 60]

/// Word to type to confirm the emergency stop.
let stopConfirmationWord = "STOP"

extension DashboardState {
    mutating func apply(_ event: Event) -> [Command] {
        switch event {
        case .key(.controlC):
            return [.quit]
        case .key(let key):
            return overlay == nil ? handleMainKey(key) : handleOverlayKey(key)
        case .mouse(let event):
            return handleMouse(event)
        case .tick(let date):
            now = date
        case .snapshot(let fresh):
            if case .disconnected = connection { say("reconnected to \(database)", .success) }
            connection = .live
            snapshot = fresh
            now = max(now, fresh.takenAt)
            pruneMarks()
            refreshOpenDetail()
        case .connectionLost(let reason, let at):
            if case .disconnected = connection { break }
            connection = .disconnected(since: at, reason: reason)
        case .operationFinished(let operation, let outcome):
            inFlight.removeAll { $0 == operation }
            unmark(operation.rows)
            if case .undo(let undone) = operation { undoStack.removeAll { $0 == undone } }
            if let undoable = outcome.undoable { undoStack.append(undoable) }
            say(outcome.message, .success)
        case .operationFailed(let operation, let message):
            inFlight.removeAll { $0 == operation }
            say("\(operation.summary) failed: \(message)", .failure)
        case .detailLoaded(let jobId, let runs, let job):
            if case .detail(let item, _, _, let scroll) = overlay, item.rows.first?.jobId == jobId {
                overlay = .detail(item: item, runs: runs, job: job, scroll: scroll)
            }
        case .auditLoaded(let entries):
            if case .audit(var view) = overlay {
                view.entries = entries
                view.selected = min(view.selected, max(0, view.shown.count - 1))
                overlay = .audit(view)
            }
        case .loadFailed(let message), .themeFailed(let message):
            say(message, .failure)
        case .notice(let message):
            say(message, .info)
        }
        return []
    }

    mutating func say(_ text: String, _ kind: StatusMessage.Kind) {
        message = StatusMessage(text: text, kind: kind, at: now)
    }

    // MARK: - Main screen

    /// Dispatch by the one binding table: read-only refuses mutating keys; a key outside its panes does nothing
    /// but say where it works.
    private mutating func handleMainKey(_ key: Key) -> [Command] {
        guard let binding = KeyBinding.binding(for: key), let action = binding.actions[key] else { return [] }
        if readOnly, binding.mutating {
            say("read-only session: \(binding.keys) (\(binding.label)) is disabled", .failure)
            return []
        }
        guard binding.applies(in: focus) else {
            let panes = Pane.allCases.filter { binding.panes?.contains($0) == true }
            say(panes.allSatisfy(\.isList) ? noSelection()
                : "\(binding.keys) (\(binding.label)) works in \(panes.map(\.title).joined(separator: ", "))", .info)
            return []
        }
        return perform(action)
    }

    private mutating func perform(_ action: KeyAction) -> [Command] {
        switch action {
        case .moveDown: moveSelection(by: 1)
        case .moveUp: moveSelection(by: -1)
        case .pageDown: moveSelection(by: 10)
        case .pageUp: moveSelection(by: -10)
        case .top: moveSelection(by: Int.min / 2)
        case .bottom: moveSelection(by: Int.max / 2)
        case .detail: return openDetail()
        case .reset: return resetSelected()
        case .resetMany: return confirmResetMany()
        case .sync: return syncSelected()
        case .syncWorkspace: return syncSelectedWorkspace()
        case .groupErrors:
            groupFailedByError.toggle()
            selections[.failed] = Selection()
            // Marks name rows or groups; the other view has other keys.
            marks[.failed] = nil
            scrollTops[.failed] = nil
        case .filter: overlay = .filter(text: filters[focus]?.display ?? "")
        case .slowDown: openSlowDownDialog()
        case .emergencyStop: openStopDialog()
        case .undo: openUndoDialog()
        case .auditLog:
            overlay = .audit(AuditView())
            return [.loadAudit]
        case .mark: toggleMark()
        case .sortNext: sortByNextColumn()
        case .sortReverse: reverseSort()
        case .find: overlay = .find(text: search?.pane == focus ? search?.text ?? "" : "")
        case .nextMatch: jumpToMatch(forward: true)
        case .previousMatch: jumpToMatch(forward: false)
        case .copyCommand: return copyCommand(of: selectedItem(in: focus))
        case .toggleMouse: return toggleMouse()
        case .workers: overlay = .workers(scroll: 0)
        case .focusNext: focus = focus.next
        case .focusPrevious: focus = focus.previous
        case .focus(let pane): focus = pane
        case .togglePolling:
            pollingPaused.toggle()
            return [.setPolling(paused: pollingPaused)]
        case .longerInterval: return changeInterval(step: 1)
        case .shorterInterval: return changeInterval(step: -1)
        case .nextTheme: return nextTheme()
        case .help: overlay = .help(scroll: 0)
        case .quit: return [.quit]
        case .clear: clear()
        }
        return []
    }

    /// Esc on the main screen: the marks of the focused list first, then the search, then the message.
    private mutating func clear() {
        if let marked = marks[focus], !marked.isEmpty {
            marks[focus] = nil
            say("marks cleared in \(focus.title)", .info)
        } else if search != nil {
            search = nil
            message = nil
        } else {
            message = nil
        }
    }

    mutating func moveSelection(by delta: Int) {
        guard focus.isList else { return }
        let items = items(in: focus)
        guard !items.isEmpty else { return }
        let current = selectionIndex(in: focus, items: items)
        let target = max(0, min(items.count - 1, current + delta))
        selections[focus] = Selection(key: items[target].key, index: target)
    }

    private mutating func changeInterval(step: Int) -> [Command] {
        let index = intervalSteps.firstIndex { $0 >= interval } ?? intervalSteps.count - 1
        let next = intervalSteps[max(0, min(intervalSteps.count - 1, index + step))]
        guard next != interval else { return [] }
        interval = next
        say("refreshing every \(formatInterval(next))", .info)
        return [.setInterval(seconds: next)]
    }

    private mutating func nextTheme() -> [Command] {
        guard !themeNames.isEmpty else { return [] }
        let index = themeNames.firstIndex(of: themeName).map { ($0 + 1) % themeNames.count } ?? 0
        themeName = themeNames[index]
        say("theme \(themeName)", .info)
        return [.useTheme(name: themeName)]
    }

    private mutating func openDetail() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { return [] }
        overlay = .detail(item: item, runs: nil, job: nil, scroll: 0)
        if case .group = item { return [] }
        return item.rows.first.map { [.loadDetail(jobId: $0.jobId)] } ?? []
    }

    /// Keeps an open detail view showing the latest copy of its row.
    private mutating func refreshOpenDetail() {
        guard case .detail(let item, let runs, let job, let scroll) = overlay else { return }
        if let fresh = items(in: item.pane).first(where: { $0.key == item.key }) {
            overlay = .detail(item: fresh, runs: runs, job: job, scroll: scroll)
        }
    }

    // MARK: - Operations

    func noSelection() -> String {
        focus.isList ? "no row selected in \(focus.title)" : "select a row in Failed syncs or Stuck repos first"
    }

    private mutating func start(_ operation: Operation) -> [Command] {
        inFlight.append(operation)
        return [.perform(operation)]
    }

    private mutating func resetSelected() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { say(noSelection(), .failure); return [] }
        if case .group(let group) = item { return confirmReset(group) }
        return start(.reset(item.rows))
    }

    /// `r` or `R` on a group of failed rows sharing one error.
    private mutating func confirmReset(_ group: ErrorGroup) -> [Command] {
        let rows = ListItem.group(group).rows
        overlay = .confirm(Confirmation(
            title: "Reset \(rows.count) failed rows with this error?",
            lines: [SafeText.line(group.error), ""] + targetLines(rows),
            operation: .reset(rows)))
        return []
    }

    /// `R`: the bulk reset of what `bulkTarget` names — the marked rows, else the rows the filter shows (the
    /// selected group when grouped by error), else every failed row.
    private mutating func confirmResetMany() -> [Command] {
        let target = bulkTarget(in: focus)
        if target.source != .marked, focus == .failed, groupFailedByError, case .group(let group)? = selectedItem(in: .failed) {
            return confirmReset(group)
        }
        guard target.total > 0 else {
            say(target.source == .all ? "no failed rows to reset" : "no rows to reset: the filter shows none", .info)
            return []
        }
        let effect = "Attempts go to 0, errors are cleared, and each row is due now."
        if target.source == .all {
            overlay = .confirm(Confirmation(
                title: "Reset \(target.description)?",
                lines: [effect, ""] + targetLines(target.rows, total: target.total),
                operation: .resetAllFailed))
            return []
        }
        var lines = [effect]
        if target.source == .filtered, let snapshot, focus == .failed, snapshot.failedTotal > snapshot.failed.count {
            lines.append("The filter looked at the \(snapshot.failed.count) rows with the most attempts of \(snapshot.failedTotal) failed.")
        }
        overlay = .confirm(Confirmation(
            title: "Reset \(target.description)?",
            lines: lines + [""] + targetLines(target.rows),
            operation: .reset(target.rows)))
        return []
    }

    /// Names the first targets of a bulk action and how many more there are (of `total`, when more than listed).
    private func targetLines(_ rows: [RowRef], total: Int? = nil, limit: Int = 4) -> [String] {
        var lines = rows.prefix(limit).map { "• \($0.repository) (\($0.workspace))" }
        let all = total ?? rows.count
        if all > lines.count { lines.append("… and \(all - lines.count) more") }
        return lines
    }

    private mutating func syncSelected() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { say(noSelection(), .failure); return [] }
        let rows = item.rows
        guard rows.count == 1 else { say("select a single row to sync", .failure); return [] }
        return start(.syncRow(rows[0]))
    }

    private mutating func syncSelectedWorkspace() -> [Command] {
        guard focus.isList, let row = selectedItem(in: focus)?.rows.first else { say(noSelection(), .failure); return [] }
        return start(.syncWorkspace(workspaceId: row.workspaceId, name: row.workspace))
    }

    private mutating func openStopDialog() {
        let status = snapshot?.status
        overlay = .typedConfirmation(TypedConfirmation(
            title: "EMERGENCY STOP: deactivate every active sync row",
            lines: [
                "Active rows to deactivate: \(status.map { String($0.health.totalWorkspaces) } ?? "unknown")",
                "Syncs running now: \(status.map { String($0.syncingNow) } ?? "unknown") (they finish their current page)",
                "Undo with u (resume) in this session, or `wsync resume`.",
            ],
            word: stopConfirmationWord,
            operation: .stopAll(reason: "emergency stop from the dashboard")))
    }

    private mutating func openSlowDownDialog() {
        let active = snapshot.map { String($0.status.health.totalWorkspaces) } ?? "unknown"
        overlay = .confirm(Confirmation(
            title: "Slow down all \(active) active rows?",
            lines: ["Doubles sync_frequency_hours, at least 48 h, at most 168 h.", "Undo with u."],
            operation: .slowDown))
    }

    private mutating func openUndoDialog() {
        guard let last = undoStack.last else { say("nothing to undo in this session", .info); return }
        overlay = .confirm(Confirmation(
            title: "Undo \(last.summary)?",
            lines: ["Restores exactly the previous state recorded by action \(last.actionId)."],
            operation: .undo(last)))
    }

    // MARK: - Overlays

    private mutating func handleOverlayKey(_ key: Key) -> [Command] {
        switch overlay {
        case .filter(let text): return handleFilterKey(key, text: text)
        case .confirm(let confirmation):
            overlay = nil
            if key == .character("y") || key == .character("Y") { return start(confirmation.operation) }
            say("cancelled: nothing changed", .info)
        case .typedConfirmation(var dialog):
            switch key {
            case .escape:
                overlay = nil
                say("cancelled: nothing changed", .info)
            case .backspace: dialog.typed = String(dialog.typed.dropLast()); overlay = .typedConfirmation(dialog)
            case .character(let c): dialog.typed.append(c); overlay = .typedConfirmation(dialog)
            case .enter:
                overlay = nil
                if dialog.typed == dialog.word { return start(dialog.operation) }
                say("confirmation did not match \(dialog.word): nothing changed", .info)
            default: break
            }
        case .detail(let item, let runs, let job, let scroll):
            if let next = scrolled(scroll, key) {
                overlay = .detail(item: item, runs: runs, job: job, scroll: next)
            } else if let commands = actFromDetail(item, key) {
                return commands
            } else {
                closeOverlay(key)
            }
        case .audit(var view):
            overlay = view.handle(key) ? .audit(view) : nil
        case .find(let text): handleFindKey(key, text: text)
        case .help(let scroll):
            if let next = scrolled(scroll, key) { overlay = .help(scroll: next) } else { closeOverlay(key) }
        case .workers(let scroll):
            if let next = scrolled(scroll, key) { overlay = .workers(scroll: next) } else { closeOverlay(key) }
        case nil: break
        }
        return []
    }

    /// The keys that act on one row act from its detail on the row it shows (r, s, S, y, m): the detail stays open,
    /// or gives way to the dialog the key opens. Nil for other keys.
    private mutating func actFromDetail(_ item: ListItem, _ key: Key) -> [Command]? {
        let rowActions: [KeyAction] = [.reset, .sync, .syncWorkspace, .copyCommand, .mark]
        guard let binding = KeyBinding.binding(for: key), let action = binding.actions[key], rowActions.contains(action) else { return nil }
        if readOnly, binding.mutating {
            say("read-only session: \(binding.keys) (\(binding.label)) is disabled", .failure)
            return []
        }
        let pane = item.pane
        let listed = items(in: pane)
        guard let index = listed.firstIndex(where: { $0.key == item.key }) else {
            say("this row is no longer listed in \(pane.title)", .info)
            return []
        }
        focus = pane
        selections[pane] = Selection(key: item.key, index: index)
        if action == .mark {
            toggleMark(advance: false)
            return []
        }
        return perform(action)
    }

    private func scrolled(_ scroll: Int, _ key: Key) -> Int? {
        switch key {
        case .down, .character("j"): scroll + 1
        case .up, .character("k"): max(0, scroll - 1)
        case .pageDown: scroll + 10
        case .pageUp: max(0, scroll - 10)
        case .home, .character("g"): 0
        default: nil
        }
    }

    private mutating func closeOverlay(_ key: Key) {
        if [.escape, .enter, .character("q"), .character("?"), .character("w")].contains(key) { overlay = nil }
    }

    private mutating func handleFilterKey(_ key: Key, text: String) -> [Command] {
        switch key {
        case .escape:
            overlay = nil
            filters[focus] = nil
        case .enter:
            overlay = nil
            let filter = ListFilter(parsing: text)
            filters[focus] = filter.text.isEmpty ? nil : filter
        case .backspace: typeFilter(String(text.dropLast()))
        case .character(let c): typeFilter(text + String(c))
        default: break
        }
        return []
    }

    /// The list narrows while the operator types.
    private mutating func typeFilter(_ text: String) {
        overlay = .filter(text: text)
        let filter = ListFilter(parsing: text)
        filters[focus] = filter.text.isEmpty ? nil : filter
    }
}

/// "2s", "500ms", "1m".
func formatInterval(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int(seconds * 1000))ms" }
    if seconds < 60 { return "\(Int(seconds))s" }
    return "\(Int(seconds / 60))m"
}
