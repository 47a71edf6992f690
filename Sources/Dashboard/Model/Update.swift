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
        case .estimateLoaded(let operation, let outcome):
            estimateArrived(for: operation, outcome)
        case .resized(let size):
            screenSize = size
            clampViewScroll()
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
        case .pageDown: moveSelection(by: listPage)
        case .pageUp: moveSelection(by: -listPage)
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
        case .close, .answerYes, .cancel: break  // views and dialogs only
        }
        return []
    }

    /// The rows of the focused list that fit on the screen (10 before its size is known).
    private var listPage: Int {
        guard let size = screenSize, let rect = Layout(size: size, state: self).panes[focus] else { return 10 }
        return max(1, rect.height - 3)
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

    /// One row resets at once (it spends no API budget itself); a group is more than one row, and asks.
    private mutating func resetSelected() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { say(noSelection(), .failure); return [] }
        if case .group(let group) = item { return confirmGroup(.reset, group) }
        return start(.reset(item.rows))
    }

    /// `R`: the bulk reset of what `bulkTarget` names — the marked rows, else the rows the filter shows (the
    /// selected group when grouped by error), else every failed row.
    private mutating func confirmResetMany() -> [Command] {
        let target = bulkTarget(in: focus)
        if target.source != .marked, focus == .failed, groupFailedByError, case .group(let group)? = selectedItem(in: .failed) {
            return confirmGroup(.reset, group)
        }
        guard target.total > 0 else {
            say(target.source == .all ? "no failed rows to reset" : "no rows to reset: the filter shows none", .info)
            return []
        }
        // Rows already queued for retry are left alone by the reset (`ResetRule`): they are not counted as targets.
        let queued = Set((snapshot?.failed ?? []).filter(\.queuedForRetry).map(\.jobId))
        if target.source == .all {
            guard let snapshot, snapshot.failedToReset > 0 else {
                say("nothing to reset: all \(target.total) failed rows are already queued for retry", .info)
                return []
            }
            let listed = target.rows.filter { !queued.contains($0.jobId) }
            return confirm(.reset, on: .allFailed(listed: listed, total: snapshot.failedToReset))
        }
        let rows = target.rows.filter { !queued.contains($0.jobId) }
        guard !rows.isEmpty else {
            say("nothing to reset: the \(target.description) \(target.total == 1 ? "is" : "are") already queued for retry", .info)
            return []
        }
        var facts: [String] = []
        if target.source == .filtered, let snapshot, focus == .failed, snapshot.failedTotal > snapshot.failed.count {
            facts.append("The filter looked at the \(snapshot.failed.count) rows with the most attempts of \(snapshot.failedTotal) failed.")
        }
        let shown = BulkTarget(source: target.source, rows: rows, total: rows.count)
        return confirm(.reset, on: .rows(rows), facts: facts, title: "Reset \(shown.description)?")
    }

    /// An error group's rows, the error first.
    private mutating func confirmGroup(_ action: BulkAction, _ group: ErrorGroup) -> [Command] {
        confirm(action, on: .rows(ListItem.group(group).rows), facts: ["\(group.rows.count) failed rows share the error: \(SafeText.line(group.error))"])
    }

    /// A sync spends API budget: it asks, with the cost.
    private mutating func syncSelected() -> [Command] {
        guard focus.isList, let item = selectedItem(in: focus) else { say(noSelection(), .failure); return [] }
        if case .group(let group) = item { return confirmGroup(.sync, group) }
        return confirm(.sync, on: .rows(item.rows))
    }

    private mutating func syncSelectedWorkspace() -> [Command] {
        guard focus.isList, let row = selectedItem(in: focus)?.rows.first else { say(noSelection(), .failure); return [] }
        return confirm(.sync, on: .workspace(id: row.workspaceId, name: row.workspace))
    }

    private mutating func openStopDialog() {
        let status = snapshot?.status
        let active = status.map { String($0.health.totalWorkspaces) } ?? "unknown"
        overlay = .typedConfirmation(TypedConfirmation(
            DialogText(
                title: "EMERGENCY STOP: deactivate every active sync row",
                facts: [
                    "Active rows to deactivate: \(active)",
                    "Syncing now: \(status.map { String($0.syncingNow) } ?? "unknown") (they finish their current page)",
                    "Workers claim nothing until it is undone.",
                ],
                notes: ["Undo with u (resume) in this session, or wsync resume."]),
            word: stopConfirmationWord,
            operation: .stopAll(reason: "emergency stop from the dashboard")))
    }

    private mutating func openSlowDownDialog() {
        let active = snapshot.map { String($0.status.health.totalWorkspaces) } ?? "unknown"
        overlay = .confirm(Confirmation(
            DialogText(title: "Slow down all \(active) active rows?",
                       facts: ["Doubles sync_frequency_hours, at least 48 h, at most 168 h: fewer syncs, fewer API calls."],
                       notes: ["Undo with u."]),
            operation: .slowDown))
    }

    private mutating func openUndoDialog() {
        guard let last = undoStack.last else { say("nothing to undo in this session", .info); return }
        overlay = .confirm(Confirmation(
            DialogText(title: "Undo \(last.summary)?",
                       facts: ["Restores exactly the previous state recorded by action \(last.actionId)."]),
            operation: .undo(last)))
    }

    // MARK: - Overlays

    private mutating func handleOverlayKey(_ key: Key) -> [Command] {
        switch overlay {
        case .filter(let text): return handleFilterKey(key, text: text)
        case .confirm(let confirmation):
            overlay = nil
            if KeyBinding.action(for: key, in: .dialog) == .answerYes { return start(confirmation.operation) }
            say("cancelled: nothing changed", .info)
        case .typedConfirmation(var dialog):
            switch key {
            case _ where KeyBinding.action(for: key, in: .dialog) == .cancel:
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

    /// A view's new first line after `key` (the views' bindings), within what the screen can scroll to; nil for a
    /// key that does not scroll.
    private func scrolled(_ scroll: Int, _ key: Key) -> Int? {
        let limits = viewScrollLimits()
        let page = limits?.page ?? 10, bottom = limits?.max ?? Int.max / 2
        let from = min(scroll, bottom)
        switch KeyBinding.action(for: key, in: .view) {
        case .moveDown: return min(bottom, from + 1)
        case .moveUp: return max(0, from - 1)
        case .pageDown: return min(bottom, from + page)
        case .pageUp: return max(0, from - page)
        case .top: return 0
        case .bottom: return bottom
        default: return nil
        }
    }

    /// Back to the panes on the views' close keys, and on the key that opened the view (? for help, w for workers).
    private mutating func closeOverlay(_ key: Key) {
        let opener: Key? = switch overlay {
        case .help: .character("?")
        case .workers: .character("w")
        default: nil
        }
        if KeyBinding.action(for: key, in: .view) == .close || key == opener { overlay = nil }
    }

    /// After a resize, an open view stays within what it can scroll to.
    private mutating func clampViewScroll() {
        guard let bottom = viewScrollLimits()?.max else { return }
        switch overlay {
        case .help(let scroll): overlay = .help(scroll: min(scroll, bottom))
        case .detail(let item, let runs, let job, let scroll): overlay = .detail(item: item, runs: runs, job: job, scroll: min(scroll, bottom))
        case .workers(let scroll): overlay = .workers(scroll: min(scroll, bottom))
        default: break
        }
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
