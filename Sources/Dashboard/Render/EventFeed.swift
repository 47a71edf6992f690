import Foundation
import SyncEngine

extension Canvas {
    /// The live event feed: the newest sync runs and operator actions with time, actor, target and result, refreshed
    /// with every snapshot (at once on the engine's notifications). A boxed strip on tall screens, one line otherwise.
    mutating func drawEventFeed(_ state: DashboardState, in rect: Rect) {
        let events = state.snapshot?.events
        let none = events == nil ? (state.snapshot == nil ? "waiting for data…" : "not available from this database")
            : "no sync runs or operator actions yet"
        if rect.height < 3 {
            let used = text("events ", x: rect.x, y: rect.y, width: rect.width, role: .title)
            let line = Rect(x: rect.x + used, y: rect.y, width: rect.width - used, height: 1)
            if let first = Self.feedEvents(events ?? [], count: 1, now: state.now).first {
                drawEventLine(first, state: state, in: line)
            } else {
                text(none, x: line.x, y: line.y, width: line.width, role: .dim)
            }
            return
        }
        // The times are the zone's the title names.
        let zone = Format.zoneName(state.timeZone, at: state.now)
        let inside = box(rect, title: "Events (\(zone)): sync runs and operator actions, newest first (a: the audit log)", role: .border)
        guard inside.width > 2, inside.height > 0 else { return }
        guard let events, !events.isEmpty else {
            text(none, x: inside.x + 1, y: inside.y, width: inside.width - 2, role: .dim)
            return
        }
        for (n, event) in Self.feedEvents(events, count: inside.height, now: state.now).enumerated() {
            drawEventLine(event, state: state, in: Rect(x: inside.x + 1, y: inside.y + n, width: inside.width - 2, height: 1))
        }
    }

    /// The events a feed of `count` lines shows: the newest, except that an operator action of the last minutes is
    /// not crowded out by runs (busy workers finish several a second). In the feed's order, newest first.
    static func feedEvents(_ events: [RecentEvent], count: Int, now: Date) -> [RecentEvent] {
        guard count > 0 else { return [] }
        var shown = Array(events.prefix(count))
        let window: TimeInterval = count == 1 ? 60 : 600
        let recentActions = events.filter { $0.kind == .action && now.timeIntervalSince($0.at) < window }.prefix(max(1, count / 2))
        for action in recentActions where !shown.contains(action) {
            guard let oldestRun = shown.lastIndex(where: { $0.kind == .run }) else { break }
            shown.remove(at: oldestRun)
            shown.append(action)
        }
        let order = Dictionary(events.enumerated().map { ("\($0.element.kind)\($0.element.id)", $0.offset) }) { first, _ in first }
        return shown.sorted { order["\($0.kind)\($0.id)", default: 0] < order["\($1.kind)\($1.id)", default: 0] }
    }

    static let eventColumns = [
        Column(title: "time", width: 8, priority: 6),
        Column(title: "actor", width: 10, flex: 1, priority: 2),
        Column(title: "what", width: 13, priority: 3),
        Column(title: "target", width: 14, flex: 2, priority: 4),
        Column(title: "result", width: 16, flex: 4, priority: 5),
    ]

    mutating func drawEventLine(_ event: RecentEvent, state: DashboardState, in rect: Rect) {
        let line = FeedLine(event, timeZone: state.timeZone)
        var x = rect.x
        for (index, width) in Self.fit(Self.eventColumns, width: rect.width) {
            let role: StyleRole = index == 4 ? line.role : index == 0 ? .dim : .normal
            text(line.cells[index], x: x, y: rect.y, width: width, role: role)
            x += width + 1
        }
    }
}

/// One event as the feed words it: time, actor, what happened, its target and its result.
struct FeedLine {
    var cells: [String]
    var role: StyleRole

    init(_ e: RecentEvent, timeZone: TimeZone) {
        let time = Format.clock(e.at, in: timeZone, zoned: false)
        let target = Self.target(e)
        switch e.kind {
        case .run:
            let what = e.action == "manual" ? "manual run" : "run"
            let counts = [e.issuesStored.map { Self.counted($0, "issue") }, e.apiCalls.map { Self.counted($0, "call") },
                          e.durationMs.map { $0 < 1000 ? "\($0)ms" : Format.duration(Double($0) / 1000) }].compactMap { $0 }
                .joined(separator: ", ")
            let result: String
            switch e.status {
            case "success": result = "ok: \(counts)"; role = .ok
            case "failed": result = "failed: \(SafeText.line(e.error ?? "no error recorded"))"; role = .error
            case "partial": result = "partial: \(counts)"; role = .warn
            // Cut off: its worker died or lost the lease (migration 9); the error says which.
            case "aborted": result = "aborted: \(SafeText.line(e.error ?? "no error recorded"))"; role = .error
            default: result = "running…"; role = .warn
            }
            cells = [time, Self.shortActor(e.actor), what, target, result]
        case .action:
            let undone = e.status == "undone" ? " (undone)" : ""
            role = e.status == "undone" ? .dim : .normal
            cells = [time, SafeText.line(e.actor), "#\(e.id) \(SafeText.line(e.action))", target, SafeText.line(e.summary ?? "") + undone]
        }
    }

    /// "1 issue", "3 calls".
    static func counted(_ n: Int, _ noun: String) -> String { "\(n) \(n == 1 ? noun : noun + "s")" }

    /// A session id "worker:sync-1:4242:ab12cd34" is shown as its host and process, "sync-1:4242" (the feed's "what"
    /// says whether the run was manual).
    static func shortActor(_ actor: String) -> String {
        let parts = actor.split(separator: ":", omittingEmptySubsequences: false)
        return SafeText.line(parts.count == 4 ? parts[1...2].joined(separator: ":") : actor)
    }

    /// The repository (and workspace) acted on, else what the parameters name.
    static func target(_ e: RecentEvent) -> String {
        if let repository = e.repository {
            return SafeText.line(repository) + (e.workspace.map { " (\(SafeText.line($0)))" } ?? "")
        }
        let parameters = e.parameters ?? [:]
        if parameters["selector"] == "all-failed" { return "all failed rows" }
        for key in ["job_ids", "jobs"] {
            if let ids = parameters[key], ids.contains(",") { return "\(ids.split(separator: ",").count) rows" }
        }
        if let workspace = e.workspace { return "workspace \(SafeText.line(workspace))" }
        if let tier = parameters["tier"] { return "tier \(SafeText.line(tier))" }
        switch e.action {
        case "stop-all", "slow-down", "resume", "rollback": return "all active rows"
        case "run", "schedule", "manual": return "–"
        default: return "–"
        }
    }
}
