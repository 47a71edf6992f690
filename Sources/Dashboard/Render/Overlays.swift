import SyncEngine
import Foundation

extension Canvas {
    mutating func drawOverlay(_ overlay: Overlay, state: DashboardState, body: Rect) {
        switch overlay {
        case .filter, .find: break  // drawn on the message line
        case .confirm(let c):
            drawDialog(c.text, answer: .prompt([("y", "yes"), ("N", "no (default)")]), body: body)
        case .typedConfirmation(let c):
            drawDialog(c.text, answer: .typed(instruction: c.instruction, input: SafeText.line(c.typed)), body: body)
        case .help(let scroll), .detail(_, _, _, let scroll), .workers(let scroll):
            guard let view = viewContent(overlay, state: state, width: body.width - 4) else { return }
            drawScrollingPanel(title: view.title, lines: view.lines, scroll: scroll, body: body)
        case .audit(let view):
            drawAudit(view, state: state, body: body)
        }
    }

    /// A scrolling view's title and lines at `width` (nil for dialogs and the filter line): what is drawn, and what
    /// scrolling is limited to.
    func viewContent(_ overlay: Overlay, state: DashboardState, width: Int) -> (title: String, lines: [(String, StyleRole)])? {
        let keys = "Esc back · j/k PgUp/PgDn Home/End scroll"
        switch overlay {
        case .filter, .find, .confirm, .typedConfirmation, .audit: return nil
        case .help: return ("Help: \(state.focus.title) (\(keys))", helpLines(state, width: width))
        case .detail(let item, let runs, let job, _):
            return ("Detail (\(keys); r s S y m act on this row)", detailLines(item, runs: runs, job: job, state: state, width: width))
        case .workers: return ("Workers (\(keys))", workerLines(state, width: width))
        }
    }

    /// A panel over the whole body with lines scrolled by `scroll`; arrows on its border say what lies above and below.
    mutating func drawScrollingPanel(title: String, lines: [(String, StyleRole)], scroll: Int, body: Rect) {
        let inside = box(body, title: title, role: .borderFocused)
        let first = max(0, min(scroll, lines.count - inside.height))
        for (n, line) in lines.dropFirst(first).prefix(inside.height).enumerated() {
            text(line.0, x: inside.x + 1, y: inside.y + n, width: inside.width - 2, role: line.1)
        }
        scrollIndicators(above: first, below: lines.count - first - inside.height, inside: inside)
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
}
