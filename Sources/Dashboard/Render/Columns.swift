import SyncEngine

/// The columns of the list panes and the cells of the status pane, with what each means: the panes draw them, the
/// help view explains them, from these same definitions.
enum PaneColumns {
    static let failed: [Column] = [
        Column(title: "workspace", width: 10, flex: 1, priority: 2, help: "the workspace that tracks the repository"),
        Column(title: "repository", width: 14, flex: 2, priority: 5, help: "owner/name on GitHub"),
        Column(title: "att", width: 3, alignRight: true, priority: 4,
               help: "attempts: failed syncs in a row (each backs the next retry off further); 0 once reset"),
        Column(title: "error", width: 16, flex: 4, priority: 3,
               help: "the last sync's error, or \"queued for retry\" once reset and not synced since"),
        Column(title: "last", width: 4, alignRight: true, priority: 1, help: "time since the last attempt"),
    ]

    static let failedGroups: [Column] = [
        Column(title: "rows", width: 4, alignRight: true, priority: 3, help: "failed rows sharing the error (e groups them)"),
        Column(title: "error", width: 20, flex: 3, priority: 2),
        Column(title: "repositories", width: 14, flex: 2, priority: 1),
    ]

    static let stuck: [Column] = [
        Column(title: "repository", width: 12, flex: 2, priority: 5),
        Column(title: "workspace", width: 7, flex: 1, priority: 3),
        Column(title: "late", width: 4, alignRight: true, priority: 4,
               help: "how long past next_sync_at the row is (– when not yet due)"),
        Column(title: "lease", width: 11, priority: 4,
               help: "the worker's lease: \"expired 10m\" (the worker left it unfinished; r releases it) or \"ends 2m\""),
        Column(title: "worker", width: 8, flex: 1, priority: 1, help: "who holds or held the lease"),
    ]

    static let tiers: [Column] = [
        Column(title: "tier", width: 7, flex: 1, priority: 5),
        Column(title: "ws", width: 4, alignRight: true, priority: 3, help: "workspaces on the tier"),
        Column(title: "repos", width: 9, alignRight: true, priority: 4, help: "repositories tracked of those the tier allows"),
        Column(title: "use", width: 4, alignRight: true, priority: 0, help: "repos as a share of what the tier allows (amber past 90%, red past 100%)"),
        Column(title: "issues", width: 6, alignRight: true, priority: 2, help: "issues synced"),
        Column(title: "active", width: 6, alignRight: true, priority: -1, help: "active rows (jobs) on the tier"),
        Column(title: "api/mo", width: 6, alignRight: true, priority: 1,
               help: "estimated GitHub API calls a month: 24 / frequency × 30 syncs × \(CostModel.callsPerSync) calls per active row"),
    ]

    /// The status pane's cells that need words.
    static let statusCells: [(name: String, help: String)] = [
        ("active", "rows that sync (is_active); the other counts but failed are of these"),
        ("failed", "rows whose last sync failed, active or not: the rows pane 2 lists"),
        ("partial", "active rows whose last sync was cut short; the next one resumes"),
        ("due now", "active rows due that no worker holds"),
        ("syncing", "rows a worker holds under a live lease"),
        ("avg age", "average time since the last sync of active rows"),
        ("fresh", "share of active rows whose last sync succeeded within their own frequency"),
        ("inactive", "rows that do not sync: stopped by an emergency stop, paused by tier, or switched off"),
    ]

    /// Every documented column, by pane, for the help view.
    static var documented: [(pane: String, columns: [(name: String, help: String)])] {
        [("1 Sync status", statusCells)]
            + [("2 Failed syncs", failed + failedGroups), ("3 Stuck repos", stuck), ("5 Tier usage", tiers)].map { pane, columns in
                (pane, columns.filter { !$0.help.isEmpty }.map { ($0.title, $0.help) })
            }
    }
}
