import SyncEngine
import Foundation

extension Canvas {
    mutating func drawOverlay(_ overlay: Overlay, state: DashboardState, body: Rect) {
        switch overlay {
        case .filter: break  // drawn on the message line
        case .help(let scroll):
            drawScrollingPanel(title: "Help: \(state.focus.title) (Esc back)", lines: helpLines(state, width: body.width - 4), scroll: scroll, body: body)
        case .confirm(let c):
            drawDialog(title: c.title, lines: c.lines, prompt: [("y", "yes"), ("N", "no (default)")], input: nil, body: body)
        case .typedConfirmation(let c):
            drawDialog(title: c.title, lines: c.lines + ["", "Type \(c.word) and press Enter to confirm; Esc cancels."],
                       prompt: [], input: SafeText.line(c.typed), body: body)
        case .detail(let item, let runs, let scroll):
            drawScrollingPanel(title: "Detail (Esc back, j/k scroll)", lines: detailLines(item, runs: runs, state: state), scroll: scroll, body: body)
        case .audit(let entries, let scroll):
            drawScrollingPanel(title: "Audit log (Esc back, j/k scroll)", lines: auditLines(entries, state: state), scroll: scroll, body: body)
        case .workers(let scroll):
            drawScrollingPanel(title: "Workers (Esc back, j/k scroll)", lines: workerLines(state, width: body.width - 4), scroll: scroll, body: body)
        }
    }

    /// A centred dialog; the longest line decides its width, the screen caps it.
    private mutating func drawDialog(title: String, lines: [String], prompt: [(String, String)], input: String?, body: Rect) {
        let width = min(body.width - 2, 72)
        let inner = width - 4
        // Dialogs name rows and quote reasons: escaped like every cell (SafeText leaves escaped text as it is).
        let wrapped = lines.flatMap { Format.wrap(SafeText.line($0), width: inner) }
        let titleLines = Format.wrap(SafeText.line(title), width: inner)
        let height = min(body.height, titleLines.count + wrapped.count + 4 + (input == nil ? 0 : 1))
        let rect = Rect(x: body.x + (body.width - width) / 2, y: body.y + max(0, (body.height - height) / 2), width: width, height: height)
        grid.fill(rect, role: .dialog)
        let inside = box(rect, title: "", role: .borderFocused)
        grid.fill(inside, role: .dialog)
        var y = inside.y
        let bottom = inside.y + inside.height
        for line in titleLines where y < bottom { text(line, x: inside.x + 1, y: y, width: inner, role: .title); y += 1 }
        for line in wrapped where y < bottom - 1 { text(line, x: inside.x + 1, y: y, width: inner, role: .dialog); y += 1 }
        let last = bottom - 1
        if let input {
            let label = "> "
            text(label, x: inside.x + 1, y: last, width: inner, role: .dialog)
            text(SafeText.line(input) + "▏", x: inside.x + 3, y: last, width: inner - 2, role: .input)
        } else {
            var x = inside.x + 1
            for (key, label) in prompt {
                x += grid.write(key, x: x, y: last, role: .footerKey, maxWidth: inside.x + inside.width - x)
                x += grid.write(" \(label)   ", x: x, y: last, role: .dialog, maxWidth: inside.x + inside.width - x)
            }
        }
    }

    /// A panel over the whole body with lines scrolled by `scroll`.
    private mutating func drawScrollingPanel(title: String, lines: [(String, StyleRole)], scroll: Int, body: Rect) {
        let inside = box(body, title: title, role: .borderFocused)
        let first = max(0, min(scroll, lines.count - inside.height))
        for (n, line) in lines.dropFirst(first).prefix(inside.height).enumerated() {
            text(line.0, x: inside.x + 1, y: inside.y + n, width: inside.width - 2, role: line.1)
        }
        moreIndicator(lines.count - first - inside.height, below: inside)
    }

    /// Every key for the focused pane, in two columns when the screen is wide enough.
    private func helpLines(_ state: DashboardState, width: Int) -> [(String, StyleRole)] {
        let entries = KeyBinding.available(in: state.focus, readOnly: state.readOnly).map { DisplayWidth.pad($0.keys, to: 9) + $0.label }
        let columnWidth = 34
        let columns = width >= 2 * columnWidth ? 2 : 1
        let rows = (entries.count + columns - 1) / columns
        var lines: [(String, StyleRole)] = (0..<rows).map { row in
            let cells = (0..<columns).compactMap { column in entries.indices.contains(column * rows + row) ? entries[column * rows + row] : nil }
            return (cells.map { DisplayWidth.pad($0, to: columnWidth) }.joined(), .normal)
        }
        lines += [("", .normal), ("Esc closes views and dialogs · Ctrl-C quits", .dim)]
        if state.readOnly { lines.append(("read-only session: mutating keys are disabled", .warn)) }
        return lines
    }

    private func detailLines(_ item: ListItem, runs: [SyncRun]?, state: DashboardState) -> [(String, StyleRole)] {
        var lines: [(String, StyleRole)] = []
        func field(_ name: String, _ value: String, _ role: StyleRole = .normal) {
            lines.append((DisplayWidth.pad(name, to: 14) + value, role))
        }
        func ago(_ date: Date?) -> String {
            date.map { "\(Format.dateTime($0, in: state.timeZone)) (\(Format.age(state.now.timeIntervalSince($0))) ago)" } ?? "never"
        }
        switch item {
        case .failed(let r):
            field("repository", SafeText.line(r.repository))
            field("workspace", SafeText.line(r.workspace))
            field("attempts", String(r.syncAttempts), .error)
            field("last attempt", ago(r.lastAttemptAt))
            lines.append(("error", .dim))
            lines += SafeText.lines(r.lastSyncError ?? "(none recorded)").map { ("  " + $0, .error) }
        case .stuck(let r):
            field("repository", SafeText.line(r.fullName))
            field("workspace", SafeText.line(r.workspace))
            field("next sync was", ago(r.nextSyncAt), .warn)
            field("last sync", ago(r.lastSyncAt))
            field("attempts", String(r.syncAttempts))
            field("leased by", SafeText.line(r.leaseOwner ?? "nobody"))
            if let expiry = r.leaseExpiresAt { field("lease ends", Format.dateTime(expiry, in: state.timeZone)) }
        case .group(let g):
            lines.append(("\(g.rows.count) failed rows share this error:", .dim))
            lines += SafeText.lines(g.error).map { ("  " + $0, .error) }
            lines.append(("", .normal))
            lines += g.rows.map { ("• \(SafeText.line($0.repository)) (\(SafeText.line($0.workspace))), \($0.syncAttempts) attempts", .normal) }
        }
        guard item.rows.count == 1 else { return lines }
        lines.append(("", .normal))
        lines.append(("recent runs", .dim))
        guard let runs else { lines.append(("  loading…", .dim)); return lines }
        if runs.isEmpty { lines.append(("  no runs recorded", .dim)) }
        for run in runs {
            let duration = run.durationMs.map { Format.duration(Double($0) / 1000) } ?? "running"
            let role: StyleRole = run.status == "success" ? .ok : run.status == "failed" ? .error : .warn
            lines.append(("  \(Format.dateTime(run.startedAt, in: state.timeZone))  \(DisplayWidth.pad(run.status, to: 8))\(DisplayWidth.pad(duration, to: 8))\(run.issuesStored) issues, \(run.apiCalls) calls\(run.notModified > 0 ? " (\(run.notModified) not modified)" : ""), \(SafeText.line(run.workerId))", role))
            if let error = run.error { lines.append(("    " + SafeText.line(error), .error)) }
        }
        return lines
    }

    /// Each worker's liveness, then why due jobs wait (or that nothing holds them).
    private func workerLines(_ state: DashboardState, width: Int) -> [(String, StyleRole)] {
        guard let status = state.snapshot?.status else { return [("waiting for data…", .dim)] }
        var lines: [(String, StyleRole)] = []
        if status.claimBlockers.isEmpty {
            lines.append(("\(status.dueNow) jobs due; workers are free to claim them", .ok))
        } else {
            lines.append(("\(status.dueNow) jobs due, not claimed because:", .error))
            for blocker in status.claimBlockers {
                let until = blocker.until.map { " (until \(Format.clock($0, in: state.timeZone)))" } ?? ""
                let wrapped = Format.wrap(SafeText.line(blocker.message) + until, width: max(1, width - 4))
                lines += wrapped.enumerated().map { ($0.offset == 0 ? "  • " + $0.element : "    " + $0.element, .error) }
            }
        }
        lines.append(("", .normal))
        guard !status.workers.isEmpty else {
            lines.append(("no worker has registered in the last 24 hours: start wsync worker", .warn))
            return lines
        }
        func ago(_ date: Date) -> String { Format.age(state.now.timeIntervalSince(date)) }
        lines.append((["state", "jobs", "heartbeat", "progress", "started", "version", "host:pid"].enumerated()
            .map { $0.offset == 6 ? $0.element : DisplayWidth.pad($0.element, to: 10) }.joined(), .dim))
        for worker in status.workers {
            let role: StyleRole = switch worker.state { case .alive: .ok; case .hung, .dead: .error; case .stopped: .dim }
            let cells = [worker.state.rawValue, "\(worker.currentJobs)/\(worker.concurrency)", ago(worker.heartbeatAt),
                         ago(worker.lastProgressAt), ago(worker.startedAt), SafeText.line(worker.version)]
            lines.append((cells.map { DisplayWidth.pad($0, to: 10) }.joined() + "\(SafeText.line(worker.hostname)):\(worker.pid)", role))
        }
        return lines
    }

    private func auditLines(_ entries: [AuditEntry]?, state: DashboardState) -> [(String, StyleRole)] {
        guard let entries else { return [("loading…", .dim)] }
        if entries.isEmpty { return [("no operator actions recorded", .dim)] }
        return entries.map { e in
            let undone = e.undoneAt != nil ? " (undone)" : ""
            let failed = e.result == "failed" ? "FAILED " : ""
            let error = e.error.map { ": \(SafeText.line($0))" } ?? ""
            return ("#\(e.id)  \(Format.dateTime(e.at, in: state.timeZone))  \(SafeText.line(e.actor))  \(failed)\(SafeText.line(e.summary))\(error)\(undone)",
                    e.undoneAt != nil ? .dim : e.result == "failed" ? .warn : .normal)
        }
    }
}
