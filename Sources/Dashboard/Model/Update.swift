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
        case .tick(let date):
            now = date
        case .snapshot(let fresh):
            if case .disconnected = connection { say("reconnected to \(database)", .success) }
            connection = .live
            snapshot = fresh
            now = max(now, fresh.takenAt)
            refreshOpenDetail()
        case .connectionLost(let reason, let at):
            if case .disconnected = connection { break }
            connection = .disconnected(since: at, reason: reason)
        case .operationFinished(let operation, let outcome):
            inFlight.removeAll { $0 == operation }
            if case .undo(let undone) = operation { undoStack.removeAll { $0 == undone } }
            if let undoable = outcome.undoable { undoStack.append(undoable) }
            say(outcome.message, .success)
        case .operationFailed(let operation, let message):
            inFlight.removeAll { $0 == operation }
            say("\(operation.summary) failed: \(message)", .failure)
        case .detailLoaded(let jobId, let runs):
            if case .detail(let item, _, let scroll) = overlay, item.rows.first?.jobId == jobId {
                overlay = .detail(item: item, runs: runs, scroll: scroll)
            }
        case .auditLoaded(let entries):
            if case .audit(_, let scroll) = overlay { overlay = .audit(entries: entries, scroll: scroll) }
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
        case .filter: overlay = .filter(text: filters[focus]?.display ?? "")
        case .slowDown: openSlowDownDialog()
        case .emergencyStop: openStopDialog()
        case .undo: openUndoDialog()
        case .auditLog:
            overlay = .audit(entries: nil, scroll: 0)
            return [.loadAudit]
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
        case .clearMessage: message = nil
        }
        return []
    }

    private mutating func moveSelection(by delta: Int) {
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
        overlay = .detail(item: item, runs: nil, scroll: 0)
        if case .group = item { return [] }
        return item.rows.first.map { [.loadDetail(jobId: $0.jobId)] } ?? []
    }

    /// Keeps an open detail view showing the latest copy of its row.
    private mutating func refreshOpenDetail() {
        guard case .detail(let item, let runs, let scroll) = overlay else { return }
        let pane: Pane = if case .stuck = item { .stuck } else { .failed }
        if let fresh = items(in: pane).first(where: { $0.key == item.key }) {
            overlay = .detail(item: fresh, runs: runs, scroll: scroll)
        }
    }

    // MARK: - Operations

    private func noSelection() -> String {
        focus.isList ? "no row selected in \(focus.title)" : "select a row in Failed syncs or Stuck repos first"
    }

    private mutating func start(_ operation: Operation) -> [Command] {
        inFlight.append(operation)
        return [.perform(operation)]
    }

    private mutating func resetSelected() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { say(noSelection(), .failure); return [] }
        if case .group = item { return confirmResetMany() }
        return start(.reset(item.rows))
    }

    private mutating func confirmResetMany() -> [Command] {
        if focus == .failed, groupFailedByError, case .group(let group)? = selectedItem(in: .failed) {
            let rows = ListItem.group(group).rows
            overlay = .confirm(Confirmation(
                title: "Reset \(rows.count) failed rows with this error?",
                lines: [SafeText.line(group.error), ""] + targetLines(rows),
                operation: .reset(rows)))
            return []
        }
        let failed = snapshot?.failed ?? []
        let total = snapshot?.failedTotal ?? 0
        guard total > 0 else { say("no failed rows to reset", .info); return [] }
        let rows = failed.map(\.ref)
        overlay = .confirm(Confirmation(
            title: "Reset all \(total) failed rows?",
            lines: ["Attempts go to 0, errors are cleared, and each row is due now."] + [""] + targetLines(rows, total: total),
            operation: .resetAllFailed))
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
        case .detail(let item, let runs, let scroll):
            if let next = scrolled(scroll, key) { overlay = .detail(item: item, runs: runs, scroll: next) } else { closeOverlay(key) }
        case .audit(let entries, let scroll):
            if let next = scrolled(scroll, key) { overlay = .audit(entries: entries, scroll: next) } else { closeOverlay(key) }
        case .help(let scroll):
            if let next = scrolled(scroll, key) { overlay = .help(scroll: next) } else { closeOverlay(key) }
        case .workers(let scroll):
            if let next = scrolled(scroll, key) { overlay = .workers(scroll: next) } else { closeOverlay(key) }
        case nil: break
        }
        return []
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
