import SyncEngine
import Foundation

extension Canvas {
    /// A pane: its border (focused, aging or stale), its title, and its content.
    mutating func drawPane(_ pane: Pane, state: DashboardState, in rect: Rect) {
        let focused = state.focus == pane
        let role: StyleRole = switch state.freshness {
        case .stale: .error
        case .aging: .warn
        case .fresh: focused ? .borderFocused : .border
        }
        var title = "\(pane.rawValue) \(pane.title)"
        if pane.isList, let snapshot = state.snapshot {
            let count = state.itemCount(in: pane)
            // The snapshot carries the first rows of a long failed list; say how many there are in all.
            let unfiltered = pane == .failed && state.filters[pane] == nil && !state.groupFailedByError
            var counts = unfiltered && snapshot.failedTotal > count ? "\(count) of \(snapshot.failedTotal)" : "\(count)"
            if pane == .failed, snapshot.failedQueued > 0 { counts += ", \(snapshot.failedQueued) queued" }
            title += " (\(counts))"
        }
        if let filter = state.filters[pane] { title += " filter: \(SafeText.line(filter.display))" }
        if pane == .failed, state.groupFailedByError { title += " by error" }
        let marked = pane.isList ? state.markedItems(in: pane).count : 0
        if marked > 0 { title += ", \(marked) marked" }
        if let find = state.highlight(in: pane) { title += ", find \"\(SafeText.line(find))\": \(state.matchIndexes(in: pane).count)" }
        let inside = box(rect, title: title, role: role, titleRole: focused ? .borderFocused : .title)
        guard inside.width > 0, inside.height > 0 else { return }
        guard let snapshot = state.snapshot else {
            text(state.connection == .connecting ? "waiting for data…" : "no data", x: inside.x, y: inside.y, width: inside.width, role: .dim)
            return
        }
        switch pane {
        case .status: drawStatus(snapshot, state: state, in: inside)
        case .failed: drawFailed(state, focused: focused, in: inside)
        case .stuck: drawStuck(state, focused: focused, in: inside)
        case .rateLimit: drawRateLimit(snapshot.rateLimit, state: state, in: inside)
        case .tiers: drawTiers(state.sortedTiers(snapshot.tiers), state: state, in: inside)
        }
    }

    // MARK: Sync status

    /// The counts, and while an emergency stop is in effect, first, what it stopped. Failed counts every row pane 2
    /// lists, so a stop (which makes every row inactive) never shows a perfect health.
    mutating func drawStatus(_ snapshot: DashboardSnapshot, state: DashboardState, in full: Rect) {
        let s = snapshot.status
        let history = snapshot.history
        let h = s.health
        var rect = full
        if s.pause.isPaused, rect.height > 0 {
            let stopped = s.pause.stoppedRows.map { "STOPPED \(Format.count($0)) rows" } ?? "SYNCING PAUSED"
            let ago = s.pause.pausedAt.map { " \(Format.age(state.now.timeIntervalSince($0))) ago" } ?? ""
            let who = [s.pause.actionId.map { "#\($0)" }, s.pause.pausedBy.map(SafeText.line)].compactMap { $0 }.joined(separator: " ")
            text(stopped + ago + (who.isEmpty ? "" : ": \(who)"), x: rect.x, y: rect.y, width: rect.width, role: .error)
            rect = Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
        }
        let failed = snapshot.failedTotal
        let cells: [(String, String, StyleRole)] = [
            ("active", Format.count(h.totalWorkspaces), s.pause.isPaused ? .error : .normal),
            ("success", Format.count(h.successful), .ok),
            ("failed", Format.count(failed), failed > 0 ? .error : .ok),
            ("partial", Format.count(s.partial), s.partial > 0 ? .warn : .normal),
            ("never synced", Format.count(s.neverSynced), .normal),
            ("due now", Format.count(s.dueNow), .normal),
            ("syncing", Format.count(s.syncingNow), .normal),
            ("avg age", h.avgHoursSinceSync.map { "\($0)h" } ?? "–", .normal),
            ("fresh", s.freshness.map(Format.percent) ?? "–", (s.freshness ?? 1) < 0.8 ? .warn : .ok),
            ("inactive", Format.count(s.inactive), s.pause.isPaused ? .error : .dim),
        ]
        let cellWidth = 18
        let columns = max(1, min(3, (rect.width + 1) / (cellWidth + 1)))
        let rowsNeeded = (cells.count + columns - 1) / columns
        // Counts come first; the throughput line only shows when there is room left under them.
        let rows = min(rowsNeeded, rect.height)
        let width = (rect.width - (columns - 1)) / columns
        for (n, cell) in cells.enumerated() {
            let row = n % rowsNeeded, column = n / rowsNeeded
            guard row < rows else { continue }
            let x = rect.x + column * (width + 1), y = rect.y + row
            text(cell.0, x: x, y: y, width: width, role: .dim)
            text(cell.1, x: x, y: y, width: width, role: cell.2, alignRight: true)
        }
        let y = rect.y + rows
        guard y < rect.y + rect.height else { return }
        let short = "last hour: \(Format.count(s.runsLastHour)) runs, \(Format.count(s.issuesLastHour)) issues "
        let full = "last hour: \(Format.count(s.runsLastHour)) runs (\(Format.count(s.failedRunsLastHour)) failed), \(Format.count(s.issuesLastHour)) issues "
        // The failed-run count only when it leaves room for a readable sparkline.
        let summary = s.failedRunsLastHour > 0 && DisplayWidth.of(full) + 8 <= rect.width ? full : short
        let used = text(summary, x: rect.x, y: y, width: rect.width, role: .normal)
        sparkline(s.throughput.map(\.runs), x: rect.x + used, y: y, width: rect.width - used, role: .gauge)
        if let history, y + 1 < rect.y + rect.height { drawFailureHistory(history, x: rect.x, y: y + 1, width: rect.width) }
    }

    /// Lines the status pane needs: a stop line, its cells, the hour's throughput.
    static func statusLines(_ snapshot: DashboardSnapshot?, width: Int) -> Int {
        let columns = max(1, min(3, (width + 1) / 19))
        return (snapshot?.status.pause.isPaused == true ? 1 : 0) + (10 + columns - 1) / columns + 1
    }

    // MARK: Failed syncs

    mutating func drawFailed(_ state: DashboardState, focused: Bool, in rect: Rect) {
        let items = state.items(in: .failed)
        guard !items.isEmpty else {
            let none = state.filters[.failed] == nil ? "no failed syncs" : "no failed syncs match the filter"
            text(none, x: rect.x, y: rect.y, width: rect.width, role: state.filters[.failed] == nil ? .ok : .dim)
            return
        }
        let selected = state.selectionIndex(in: .failed, items: items)
        if state.groupFailedByError {
            table(Self.sortable(PaneColumns.failedGroups, .failedGroups, state: state), count: items.count, selected: selected, focused: focused, in: rect,
                  marked: markGutter(state, .failed, items), highlight: state.highlight(in: .failed), scrollTop: state.scrollTops[.failed]) { index in
                guard case .group(let g) = items[index] else { return nil }
                return TableRow(cells: [String(g.rows.count), SafeText.line(g.error), g.rows.map { SafeText.line($0.repository) }.joined(separator: ", ")],
                                roles: [.error, .normal, .dim])
            }
            return
        }
        table(Self.sortable(PaneColumns.failed, .failed, state: state), count: items.count, selected: selected, focused: focused, in: rect,
              marked: markGutter(state, .failed, items), highlight: state.highlight(in: .failed), scrollTop: state.scrollTops[.failed]) { index in
            guard case .failed(let r) = items[index] else { return nil }
            // A row reset since it failed is queued for retry: its next sync decides, and a reset leaves it alone.
            let error = r.queuedForRetry ? "queued for retry: reset, not synced since" : SafeText.line(r.lastSyncError ?? "–")
            return TableRow(cells: [SafeText.line(r.workspace), SafeText.line(r.repository), String(r.syncAttempts), error,
                                    r.lastAttemptAt.map { Format.age(state.now.timeIntervalSince($0)) } ?? "–"],
                            roles: [.normal, .normal, r.queuedForRetry ? .ok : r.syncAttempts > 3 ? .error : .warn,
                                    r.queuedForRetry ? .ok : .normal, .dim])
        }
    }

    // MARK: Stuck repos

    mutating func drawStuck(_ state: DashboardState, focused: Bool, in rect: Rect) {
        let items = state.items(in: .stuck)
        guard !items.isEmpty else {
            let none = state.filters[.stuck] == nil ? "nothing stuck" : "no stuck rows match the filter"
            text(none, x: rect.x, y: rect.y, width: rect.width, role: state.filters[.stuck] == nil ? .ok : .dim)
            return
        }
        table(Self.sortable(PaneColumns.stuck, .stuck, state: state), count: items.count, selected: state.selectionIndex(in: .stuck, items: items),
              focused: focused, in: rect, marked: markGutter(state, .stuck, items), highlight: state.highlight(in: .stuck),
              scrollTop: state.scrollTops[.stuck]) { index in
            guard case .stuck(let r) = items[index] else { return nil }
            let overdue = r.nextSyncAt.flatMap { $0 < state.now ? Format.age(state.now.timeIntervalSince($0)) : nil } ?? "–"
            // Why it is stuck stays at 80 columns (the lease); who held it goes first when the pane is narrow.
            let lease = r.leaseExpiresAt.map { expiry in
                expiry < state.now ? "expired \(Format.age(state.now.timeIntervalSince(expiry)))" : "ends \(Format.age(expiry.timeIntervalSince(state.now)))"
            } ?? "none"
            return TableRow(cells: [SafeText.line(r.fullName), SafeText.line(r.workspace), overdue, lease, SafeText.line(r.leaseOwner ?? "–")],
                            roles: [.normal, .normal, .warn, r.leaseExpiresAt.map { $0 < state.now ? .error : .dim } ?? .dim, .dim])
        }
    }

    // MARK: Rate limit

    mutating func drawRateLimit(_ g: RateLimitGauge, state: DashboardState, in rect: Rect) {
        guard let limit = g.limit, let remaining = g.remaining, g.resetAt != nil, g.observedAt != nil else {
            text("no rate-limit observation yet", x: rect.x, y: rect.y, width: rect.width, role: .dim)
            return
        }
        let fraction = limit > 0 ? Double(remaining) / Double(limit) : 0
        let role: StyleRole = fraction <= 0.1 ? .error : fraction <= 0.25 ? .warn : .gauge
        let numbers = " \(remaining)/\(limit) \(Format.percent(fraction))"
        let numbersWidth = min(rect.width, DisplayWidth.of(numbers))
        gauge(fraction, x: rect.x, y: rect.y, width: rect.width - numbersWidth, role: role)
        text(numbers, x: rect.x + rect.width - numbersWidth, y: rect.y, width: numbersWidth, role: role)
        // The last day's low points right under the gauge, when the pane has a line for them.
        var top = rect.y + 1
        if let history = state.snapshot?.history, rect.height > 2 {
            drawRateLimitHistory(history, x: rect.x, y: top, width: rect.width)
            top += 1
        }
        for (n, line) in Self.rateLimitLines(g, state: state).enumerated() where top + n < rect.y + rect.height {
            text(line.0, x: rect.x, y: top + n, width: rect.width, role: line.1)
        }
    }

    /// The lines under the gauge, most important first: the reset, the workers' claims, each token of a pool, the
    /// burn and where it leads (`RateLimitGauge.outlook`: a projection whose time has passed says so), the reading's age.
    static func rateLimitLines(_ g: RateLimitGauge, state: DashboardState) -> [(String, StyleRole)] {
        guard let resetAt = g.resetAt, let observedAt = g.observedAt else { return [] }
        let now = state.now, zone = state.timeZone
        let untilReset = resetAt.timeIntervalSince(now)
        let pooled = g.tokens.count > 1
        var lines: [(String, StyleRole)] = [
            (untilReset > 0 ? "\(pooled ? "next reset" : "resets") in \(Format.duration(untilReset)) at \(Format.clock(resetAt, in: zone))"
                            : "reset time passed; new window", .normal),
        ]
        let status = state.snapshot?.status
        if let blocker = status?.reserveBlocker {
            let since = blocker.since.map { " at \(Format.clock($0, in: zone, zoned: false))" } ?? ""
            let reserve = status?.claimReserve.map { ": reserve \($0) reached" } ?? ""
            lines.append(("claims stopped\(since)\(reserve)", .error))
        }
        if pooled { lines += g.tokens.map { tokenLine($0, state: state) } }
        if let burn = g.burnPerMinute, burn > 0 {
            let window = g.burnWindowSeconds.map { $0 >= 14.5 * 60 ? "the last 15 min" : "the last \(Format.duration($0))" } ?? "the last 15 min"
            lines.append(("burn \(Format.oneDecimal(burn))/min over \(window)", .normal))
        } else {
            lines.append(("no calls in the last 15 min", .dim))
        }
        switch g.outlook(at: now) {
        case .unknown, .idle: break
        case .lastsUntilReset: lines.append(("lasts until the reset at this rate", .ok))
        case .runsOut(let at):
            let left = at.timeIntervalSince(now)
            lines.append(("exhausted at \(Format.clock(at, in: zone, zoned: false)) (in \(Format.duration(left)))", left < 900 ? .error : .warn))
        case .projectionPassed(let at):
            lines.append(("projected out at \(Format.clock(at, in: zone, zoned: false)) (\(Format.age(now.timeIntervalSince(at))) ago); no newer reading", .warn))
        case .exhausted:
            lines.append(("exhausted: nothing left until the reset", .error))
        }
        // When the workers will stop claiming at this rate (not while a pause stops them anyway). Times after the
        // reset line are in its zone.
        if status?.reserveBlocker == nil, status?.pause.isPaused != true, let reserve = status?.claimReserve,
           let at = g.reserveReached(reserve, at: now) {
            lines.append(("claims stop at \(Format.clock(at, in: zone, zoned: false)): reserve \(reserve)", .warn))
        }
        let observedAge = now.timeIntervalSince(observedAt)
        lines.append(("observed \(Format.age(observedAge)) ago", observedAge > 900 ? .warn : .dim))
        return lines
    }

    /// "ci 4300/5000 resets 10:20", "a1b2c3d4e5f6 set aside: GitHub answered 401 (…)", "… cooling until 10:05".
    private static func tokenLine(_ t: RateLimitGauge.TokenBudget, state: DashboardState) -> (String, StyleRole) {
        let name = SafeText.line(t.name)
        if t.setAsideAt != nil { return ("\(name) set aside: \(SafeText.line(t.setAsideReason ?? "refused by GitHub"))", .error) }
        if let cooling = t.coolingUntil, cooling > state.now {
            return ("\(name) cooling down until \(Format.clock(cooling, in: state.timeZone, zoned: false)) (secondary limit)", .warn)
        }
        guard let remaining = t.remaining, let limit = t.limit else { return ("\(name) no reading yet", .dim) }
        let reset = t.resetAt.map { $0 > state.now ? " resets \(Format.clock($0, in: state.timeZone, zoned: false))" : "" } ?? ""
        let fraction = limit > 0 ? Double(remaining) / Double(limit) : 0
        return ("\(name) \(remaining)/\(limit)\(reset)", fraction <= 0.1 ? .error : fraction <= 0.25 ? .warn : .normal)
    }

    // MARK: Tier usage

    mutating func drawTiers(_ tiers: [TierUsage], state: DashboardState, in rect: Rect) {
        guard !tiers.isEmpty else {
            text("no workspaces", x: rect.x, y: rect.y, width: rect.width, role: .dim)
            return
        }
        let rows = tiers.map { t in
            let use = t.repositoriesAllowed > 0 ? Double(t.repositoriesTracked) / Double(t.repositoriesAllowed) : 0
            return TableRow(cells: [SafeText.line(t.tier), Format.count(t.workspaces), "\(t.repositoriesTracked)/\(t.repositoriesAllowed)",
                                    Format.percent(use), Format.count(t.issuesSynced), Format.count(t.activeJobs),
                                    Format.count(t.estimatedMonthlyApiCalls)],
                            roles: [.normal, .normal, use > 1 ? .error : use > 0.9 ? .warn : .normal, use > 1 ? .error : use > 0.9 ? .warn : .dim,
                                    .normal, .dim, .normal])
        }
        table(Self.sortable(PaneColumns.tiers, .tiers, state: state), rows: rows, selected: nil, focused: false, in: rect)
    }
}
