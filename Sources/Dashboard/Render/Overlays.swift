import SyncEngine
import Foundation

extension Canvas {
    mutating func drawOverlay(_ overlay: Overlay, state: DashboardState, body: Rect) {
        switch overlay {
        case .filter: break  // drawn on the message line
        case .confirm(let c):
            drawDialog(c.text, answer: .prompt([("y", "yes"), ("N", "no (default)")]), body: body)
        case .typedConfirmation(let c):
            drawDialog(c.text, answer: .typed(instruction: c.instruction, input: SafeText.line(c.typed)), body: body)
        case .help(let scroll), .detail(_, _, let scroll), .audit(_, let scroll), .workers(let scroll):
            guard let view = viewContent(overlay, state: state, width: body.width - 4) else { return }
            drawScrollingPanel(title: view.title, lines: view.lines, scroll: scroll, body: body)
        }
    }

    /// A scrolling view's title and lines at `width` (nil for dialogs and the filter line): what is drawn, and what
    /// scrolling is limited to.
    func viewContent(_ overlay: Overlay, state: DashboardState, width: Int) -> (title: String, lines: [(String, StyleRole)])? {
        let keys = "Esc back · j/k PgUp/PgDn Home/End scroll"
        switch overlay {
        case .filter, .confirm, .typedConfirmation: return nil
        case .help: return ("Help: \(state.focus.title) (\(keys))", helpLines(state, width: width))
        case .detail(let item, let runs, _): return ("Detail (\(keys))", detailLines(item, runs: runs, state: state))
        case .audit(let entries, _): return ("Audit log (\(keys))", auditLines(entries, state: state))
        case .workers: return ("Workers (\(keys))", workerLines(state, width: width))
        }
    }

    /// A panel over the whole body with lines scrolled by `scroll`; arrows on its border say what lies above and below.
    private mutating func drawScrollingPanel(title: String, lines: [(String, StyleRole)], scroll: Int, body: Rect) {
        let inside = box(body, title: title, role: .borderFocused)
        let first = max(0, min(scroll, lines.count - inside.height))
        for (n, line) in lines.dropFirst(first).prefix(inside.height).enumerated() {
            text(line.0, x: inside.x + 1, y: inside.y + n, width: inside.width - 2, role: line.1)
        }
        scrollIndicators(above: first, below: lines.count - first - inside.height, inside: inside)
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
            lines += g.rows.map { ("• \(SafeText.line($0.repository)) (\(SafeText.line($0.workspace))), \(Format.counted($0.syncAttempts, "attempt"))", .normal) }
        }
        guard item.rows.count == 1 else { return lines }
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
            return ("#\(e.id)  \(Format.dateTime(e.at, in: state.timeZone))  \(SafeText.line(e.actor))  \(SafeText.line(e.summary))\(undone)",
                    e.undoneAt != nil ? .dim : .normal)
        }
    }
}
