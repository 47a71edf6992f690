import Foundation
import SyncEngine

/// The whole screen as a pure function of state and terminal size.
public func render(_ state: DashboardState, size: Size) -> CellGrid {
    var canvas = Canvas(size: size, glyphs: state.glyphs)
    guard size.width >= Layout.minimum.width, size.height >= Layout.minimum.height else {
        canvas.drawTooSmall(size)
        return canvas.grid
    }
    let layout = Layout(size: size, state: state)
    canvas.drawHeader(state, in: layout.header, compact: layout.compact)
    if let rect = layout.banner, let banner = state.banner {
        canvas.grid.fill(rect, role: .banner)
        canvas.text(banner, x: 0, y: rect.y, width: rect.width, role: .banner)
    }
    for (pane, rect) in layout.panes { canvas.drawPane(pane, state: state, in: rect) }
    if let rect = layout.events { canvas.drawEventFeed(state, in: rect) }
    canvas.drawMessageLine(state, in: layout.message)
    canvas.drawFooter(state, in: layout.footer)
    if let overlay = state.overlay {
        // A dialog may take the message line too: it shows its own answer keys.
        let dialog: Bool = switch overlay { case .confirm, .typedConfirmation: true; default: false }
        let area = dialog ? Rect(x: layout.body.x, y: layout.body.y, width: layout.body.width, height: layout.body.height + 1) : layout.body
        canvas.drawOverlay(overlay, state: state, body: area)
    }
    if state.glyphs == .ascii { canvas.grid.restrictToASCII() }
    return canvas.grid
}

extension DashboardState {
    /// The loud line under the header: lost connection, or the global sync pause.
    var banner: String? {
        if case .disconnected(let since, let reason) = connection {
            let asOf = snapshot.map { "data as of \(Format.clock($0.takenAt, in: timeZone)) (\(Format.duration(now.timeIntervalSince($0.takenAt))) old)" } ?? "no data yet"
            return " DISCONNECTED for \(Format.duration(now.timeIntervalSince(since))): \(asOf); reconnecting… (\(SafeText.line(reason)))"
        }
        if let pause = snapshot?.status.pause, pause.isPaused {
            let why = [pause.reason.map { "\"\(SafeText.line($0))\"" }, pause.pausedBy.map { "by \(SafeText.line($0))" }]
                .compactMap { $0 }.joined(separator: " ")
            let stopped = pause.stoppedRows.map { ": \(Format.count($0)) rows stopped by action #\(pause.actionId.map(String.init) ?? "?")" } ?? ""
            return " GLOBAL SYNC PAUSE\(why.isEmpty ? "" : " (\(why))")\(stopped); workers claim nothing; u or wsync resume lifts it"
        }
        return nil
    }
}

extension Canvas {
    mutating func drawTooSmall(_ size: Size) {
        let need = Layout.minimum
        let lines = Format.wrap("terminal too small: need \(need.width)×\(need.height), have \(size.width)×\(size.height)", width: max(1, size.width))
        let top = max(0, (size.height - lines.count) / 2)
        for (n, line) in lines.enumerated() {
            let x = max(0, (size.width - DisplayWidth.of(line)) / 2)
            grid.write(line, x: x, y: top + n, role: .warn)
        }
    }

    /// The header: what this screen is and how current it is. The database (a socket path can be long) comes last and
    /// gives way from its start, so it never pushes out the connection, the data's age or the interval.
    mutating func drawHeader(_ state: DashboardState, in rect: Rect, compact: Bool) {
        grid.fill(rect, role: .header)
        var parts: [(String, StyleRole)] = [(" wsync", .header)]
        if compact { parts.append(("[\(state.focus.rawValue)/5]", .header)) }
        parts.append((state.readOnly ? "[RO]" : "[RW]", .header))
        switch state.connection {
        case .connecting: parts.append(("connecting…", .warn))
        case .live where state.pollingPaused: parts.append(("polling paused", .warn))
        case .live: parts.append(("● live", .ok))
        case .disconnected: parts.append(("✖ DISCONNECTED", .error))
        }
        if !compact, let status = state.snapshot?.status { parts.append(workersSummary(status)) }
        if let age = state.dataAge {
            let role: StyleRole = switch state.freshness { case .fresh: .header; case .aging: .warn; case .stale: .error }
            parts.append(("data \(Format.age(age))", role))
        }
        if !state.oneShot { parts.append(("every \(formatInterval(state.interval))", .header)) }
        // A part that does not fit whole is left out rather than cut (the ones before it matter more).
        var x = rect.x
        for (index, (label, role)) in parts.enumerated() {
            let shown = index == 0 ? label : "  " + label
            guard x + DisplayWidth.of(shown) <= rect.width else { return }
            x += text(shown, x: x, y: rect.y, width: rect.width - x, role: role)
        }
        // The database in what is left, cut from the front ("…socket/wsync_demo"): its end names it.
        let room = rect.width - x - 2
        let database = SafeText.line(state.database)
        guard room >= 8 else { return }
        let shown = DisplayWidth.of(database) <= room ? database
            : String(glyphs.ellipsis) + String(database.reversed().reduce(into: "") { kept, c in
                if DisplayWidth.of(kept) + DisplayWidth.of(c) < room { kept.append(c) }
            }.reversed())
        text("  " + shown, x: x, y: rect.y, width: rect.width - x, role: .header)
    }

    /// Live workers; red when due jobs wait for a reason (the workers view, w, names it), amber when one is hung or dead.
    private func workersSummary(_ s: SyncStatus) -> (String, StyleRole) {
        let alive = s.workers.filter { $0.state == .alive }.count
        let troubled = s.workers.contains { $0.state == .hung || $0.state == .dead }
        let role: StyleRole = !s.claimBlockers.isEmpty && s.dueNow > 0 ? .error : troubled ? .warn : .header
        return (alive == 0 ? "no worker alive" : alive == 1 ? "1 worker" : "\(alive) workers", role)
    }

    mutating func drawMessageLine(_ state: DashboardState, in rect: Rect) {
        if case .filter(let typed) = state.overlay {
            let prompt = "/ filter \(state.focus.title): "
            let used = text(prompt, x: 0, y: rect.y, width: rect.width, role: .footerKey)
            let shown = SafeText.line(typed) + "▏"
            let after = text(shown, x: used, y: rect.y, width: rect.width - used, role: .input)
            text("  Enter keep · Esc clear · leading ! inverts", x: used + after, y: rect.y, width: rect.width - used - after, role: .dim)
            return
        }
        if case .find(let typed) = state.overlay {
            let prompt = "f find in \(state.focus.title): "
            let used = text(prompt, x: 0, y: rect.y, width: rect.width, role: .footerKey)
            let after = text(SafeText.line(typed) + "▏", x: used, y: rect.y, width: rect.width - used, role: .input)
            let count = state.matchIndexes(in: state.focus).count
            text("  \(count) \(count == 1 ? "match" : "matches") · Enter keep · n/N next/previous · Esc cancel",
                 x: used + after, y: rect.y, width: rect.width - used - after, role: .dim)
            return
        }
        if let running = state.inFlight.last {
            let more = state.inFlight.count > 1 ? " (+\(state.inFlight.count - 1) more)" : ""
            text("⟳ \(SafeText.line(running.summary))…\(more)", x: 0, y: rect.y, width: rect.width, role: .warn)
            return
        }
        if let message = state.message {
            let role: StyleRole = switch message.kind { case .info: .normal; case .success: .ok; case .failure: .error }
            let line = SafeText.line(message.text)
            let shown = message.command.map(SafeText.line).flatMap { DisplayWidth.of(line) > rect.width ? $0 : nil } ?? line
            text(shown, x: 0, y: rect.y, width: rect.width, role: role)
        }
    }

    mutating func drawFooter(_ state: DashboardState, in rect: Rect) {
        grid.fill(rect, role: .footer)
        if state.oneShot, let snapshot = state.snapshot {
            let taken = Format.dateTime(snapshot.takenAt, in: state.timeZone)
            text(" snapshot taken \(taken) · wsync dash for the live view", x: rect.x, y: rect.y, width: rect.width, role: .footer)
            return
        }
        let bindings = KeyBinding.available(in: state.focus, readOnly: state.readOnly).filter(\.inFooter)
        // "? help" and "q quit" always show, at the right end.
        let pinned = bindings.filter { $0.keys == "?" || $0.keys == "q" }
        let others = bindings.filter { $0.keys != "?" && $0.keys != "q" }
        let pinnedWidth = pinned.reduce(0) { $0 + DisplayWidth.of($1.keys) + DisplayWidth.of($1.label) + 3 }
        var x = rect.x + 1
        for binding in others {
            let on = binding.actions.values.contains(.togglePolling) && state.pollingPaused
            let width = DisplayWidth.of(binding.keys) + DisplayWidth.of(binding.label(on: on)) + 3
            if x + width > rect.width - pinnedWidth { break }
            x += keyHint(binding, x: x, y: rect.y, state: state)
        }
        x = max(x, rect.width - pinnedWidth)
        for binding in pinned { x += keyHint(binding, x: x, y: rect.y) }
    }

    /// "key label", the label as it reads now ("Space resume polling" while polling is paused).
    private mutating func keyHint(_ binding: KeyBinding, x: Int, y: Int, state: DashboardState? = nil) -> Int {
        let on = binding.actions.values.contains(.togglePolling) && state?.pollingPaused == true
        let keyWidth = grid.write(binding.keys, x: x, y: y, role: .footerKey)
        let labelWidth = grid.write(" " + binding.label(on: on) + "  ", x: x + keyWidth, y: y, role: .footer)
        return keyWidth + labelWidth
    }
}
