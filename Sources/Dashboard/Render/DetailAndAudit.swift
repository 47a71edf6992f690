import Foundation
import SyncEngine

extension Canvas {
    /// A row in full: the ids a CLI command needs, its schedule, lease and last outcome, the whole error, the command
    /// `y` copies, and its recent runs.
    func detailLines(_ item: ListItem, runs: [SyncRun]?, job: JobDetail?, state: DashboardState, width: Int) -> [(String, StyleRole)] {
        var lines: [(String, StyleRole)] = []
        let indent = 14
        func field(_ name: String, _ value: String, _ role: StyleRole = .normal) {
            lines.append((DisplayWidth.pad(name, to: indent) + value, role))
        }
        func when(_ date: Date?) -> String {
            guard let date else { return "never" }
            let delta = date.timeIntervalSince(state.now)
            let relative = delta > 0 ? "in \(Format.age(delta))" : "\(Format.age(-delta)) ago"
            return "\(Format.dateTime(date, in: state.timeZone)) (\(relative))"
        }
        func block(_ title: String, _ text: String, _ role: StyleRole) {
            lines.append((title, .dim))
            for line in SafeText.lines(text) {
                lines += Format.wrap(line, width: max(1, width - 2)).map { ("  " + $0, role) }
            }
        }
        let loading = "loading…"
        switch item {
        case .group(let g):
            lines.append(("\(g.rows.count) failed rows share this error:", .dim))
            lines += SafeText.lines(g.error).map { ("  " + $0, .error) }
            lines.append(("", .normal))
            lines += g.rows.map { ("• \(SafeText.line($0.repository)) (\(SafeText.line($0.workspace))), \(Format.counted($0.syncAttempts, "attempt"))", .normal) }
            return lines
        case .failed(let r):
            field("repository", SafeText.line(r.repository))
            field("workspace", SafeText.line(r.workspace))
            field("workspace id", r.workspaceId.uuidString.lowercased())
            field("job id", r.jobId.uuidString.lowercased())
            field("status", "failed, \(Format.counted(r.syncAttempts, "attempt"))", .error)
            field("last attempt", when(r.lastAttemptAt))
            field("last sync", when(r.lastSyncAt))
            field("next sync", when(job?.nextSyncAt ?? r.nextSyncAt))
        case .stuck(let r):
            field("repository", SafeText.line(r.fullName))
            field("workspace", SafeText.line(r.workspace))
            field("workspace id", r.workspaceId.uuidString.lowercased())
            field("job id", r.jobId.uuidString.lowercased())
            field("status", r.reason == .leaseExpired ? "stuck: its worker's lease expired" : "stuck: overdue", .warn)
            field("next sync", when(job?.nextSyncAt ?? r.nextSyncAt), .warn)
            field("last sync", when(r.lastSyncAt))
            field("attempts", String(r.syncAttempts))
        }
        if let job {
            field("frequency", "every \(job.syncFrequencyHours) h")
            field("priority", String(job.priorityScore))
            field("active", job.isActive ? "yes" : "no (inactive rows are never claimed)", job.isActive ? .normal : .warn)
        } else {
            for name in ["frequency", "priority", "active"] { field(name, loading, .dim) }
        }
        let owner = job?.leaseOwner ?? item.stuckRow?.leaseOwner
        let expiry = job?.leaseExpiresAt ?? item.stuckRow?.leaseExpiresAt
        if job == nil, item.stuckRow == nil {
            field("lease", loading, .dim)
        } else if let owner {
            let expired = (expiry.map { $0 <= state.now } ?? false)
            field("lease", "\(SafeText.line(owner)), \(expired ? "expired" : "until") \(when(expiry))", expired ? .error : .normal)
        } else {
            field("lease", "none (no worker holds it)")
        }
        if let job { field("issues", "\(job.totalIssuesFetched) fetched in all") }
        if let error = job?.lastSyncError ?? item.failedRow?.lastSyncError {
            block("error (full)", error, .error)
        } else if item.failedRow != nil {
            block("error (full)", "(none recorded)", .dim)
        }
        if let command = state.commandLine(for: item) { block("command (y copies it)", command, .title) }
        lines.append(("", .normal))
        lines.append(("recent runs", .dim))
        guard let runs else { lines.append(("  loading…", .dim)); return lines }
        if runs.isEmpty { lines.append(("  no runs recorded", .dim)) }
        for run in runs {
            let duration = run.durationMs.map { Format.duration(Double($0) / 1000) } ?? "running"
            let role: StyleRole = run.status == "success" ? .ok : run.status == "failed" ? .error : .warn
            lines.append(("  \(Format.dateTime(run.startedAt, in: state.timeZone))  \(DisplayWidth.pad(run.status, to: 8))\(DisplayWidth.pad(duration, to: 8))\(Format.counted(run.issuesStored, "issue")), \(Format.counted(run.apiCalls, "call"))\(run.notModified > 0 ? " (\(run.notModified) not modified)" : ""), \(SafeText.line(run.workerId))", role))
            if let error = run.error { lines.append(("    " + SafeText.line(error), .error)) }
        }
        return lines
    }

    /// The audit log: a list to move through (the selection), a filter line, and one entry opened in full.
    mutating func drawAudit(_ view: AuditView, state: DashboardState, body: Rect) {
        if let entry = view.opened {
            drawScrollingPanel(title: "Audit entry #\(entry.id) (Esc back to the list, j/k scroll)",
                               lines: auditEntryLines(entry, state: state, width: body.width - 4), scroll: view.scroll, body: body)
            return
        }
        let shown = view.shown
        let count = view.entries.map { entries in
            (view.filter.isEmpty ? "\(entries.count)" : "\(shown.count) of \(entries.count)") + (entries.count == 1 ? " entry" : " entries")
        }
        let title = "Audit log\(count.map { ": \($0)" } ?? "") (Esc back, j/k move, / filter, Enter opens one)"
        let inside = box(body, title: title, role: .borderFocused)
        guard inside.width > 2, inside.height > 0 else { return }
        let x = inside.x + 1, width = inside.width - 2
        var y = inside.y
        if view.editingFilter || !view.filter.isEmpty {
            let used = text("/ filter: ", x: x, y: y, width: width, role: .footerKey)
            let typed = text(SafeText.line(view.filter) + (view.editingFilter ? "▏" : ""), x: x + used, y: y, width: width - used, role: .input)
            let hint = view.editingFilter ? "  Enter keep · Esc clear" : "  / edit · Esc clears"
            text(hint, x: x + used + typed, y: y, width: width - used - typed, role: .dim)
            y += 1
        }
        guard view.entries != nil else { text("loading…", x: x, y: y, width: width, role: .dim); return }
        guard !shown.isEmpty else {
            text(view.filter.isEmpty ? "no operator actions recorded" : "no entry matches the filter", x: x, y: y, width: width, role: .dim)
            return
        }
        let visible = inside.y + inside.height - y
        guard visible > 0 else { return }
        let selected = min(view.selected, shown.count - 1)
        let first = Self.firstVisibleRow(selected: selected, count: shown.count, visible: visible)
        for (n, index) in (first..<min(shown.count, first + visible)).enumerated() {
            let e = shown[index]
            let undone = e.undoneAt != nil ? " (undone)" : ""
            let failed = e.result == "failed" ? "FAILED " : ""
            let error = e.error.map { ": \(SafeText.line($0))" } ?? ""
            let line = "#\(e.id)  \(Format.dateTime(e.at, in: state.timeZone))  \(SafeText.line(e.actor))  \(SafeText.line(e.action))  \(failed)\(SafeText.line(e.summary))\(error)\(undone)"
            let isSelected = index == selected
            text(line, x: x, y: y + n, width: width,
                 role: isSelected ? .selection : e.undoneAt != nil ? .dim : e.result == "failed" ? .warn : .normal)
            if isSelected { grid.restyle(Rect(x: inside.x, y: y + n, width: inside.width, height: 1), role: .selection) }
        }
        moreIndicator(shown.count - first - visible, below: Rect(x: inside.x, y: y, width: inside.width, height: visible))
    }

    /// One audit entry with everything it recorded.
    func auditEntryLines(_ e: AuditEntry, state: DashboardState, width: Int) -> [(String, StyleRole)] {
        var lines: [(String, StyleRole)] = []
        func field(_ name: String, _ value: String, _ role: StyleRole = .normal) {
            let wrapped = Format.wrap(value, width: max(1, width - 14))
            for (n, part) in wrapped.enumerated() { lines.append((DisplayWidth.pad(n == 0 ? name : "", to: 14) + part, role)) }
        }
        field("entry", "#\(e.id)")
        field("at", "\(Format.dateTime(e.at, in: state.timeZone)) (\(Format.age(state.now.timeIntervalSince(e.at))) ago)")
        field("actor", SafeText.line(e.actor))
        field("action", SafeText.line(e.action))
        field("summary", SafeText.line(e.summary))
        field("rows changed", String(e.affectedRows))
        if let undoneAt = e.undoneAt {
            field("undone", "\(Format.dateTime(undoneAt, in: state.timeZone))\(e.undoneBy.map { " by \(SafeText.line($0))" } ?? "")"
                  + (e.undoActionId.map { " (entry #\($0))" } ?? ""), .dim)
        } else {
            field("undoable", e.undoable ? "yes: u in the session that made it, or wsync undo \(e.id)" : "no")
        }
        if let undoes = e.undoesActionId { field("undoes", "entry #\(undoes)") }
        lines.append(("parameters", .dim))
        if e.parameters.isEmpty { lines.append(("  (none)", .dim)) }
        for (key, value) in e.parameters.sorted(by: { $0.key < $1.key }) {
            lines += Format.wrap("\(SafeText.line(key)) = \(SafeText.line(value))", width: max(1, width - 2)).map { ("  " + $0, .normal) }
        }
        return lines
    }
}
