import Dashboard
import Foundation

/// A fixed moment and a fixed data set, so render goldens never depend on the clock or the machine.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_795_960_931)  // 2026-11-29 14:02:11 UTC

    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    static let failed: [FailedSync] = [
        FailedSync(rowID: id(1), workspaceID: id(101), workspace: "acme", repository: "acme/api",
                   lastSyncError: "GitHub 502 Server Error (retrying with backoff)", syncAttempts: 7, lastAttemptAt: now - 600),
        FailedSync(rowID: id(2), workspaceID: id(101), workspace: "acme", repository: "acme/web",
                   lastSyncError: "GitHub 404 Not Found: repository missing or private", syncAttempts: 5, lastAttemptAt: now - 3_700),
        FailedSync(rowID: id(3), workspaceID: id(102), workspace: "初期ワークスペース", repository: "nihon/設定",
                   lastSyncError: "GitHub 502 Server Error (retrying with backoff)", syncAttempts: 2, lastAttemptAt: now - 40),
        FailedSync(rowID: id(4), workspaceID: id(103), workspace: "evil", repository: "evil/\u{1B}[31mred",
                   lastSyncError: "bad JSON: \u{1B}]0;pwned\u{07} at byte 12", syncAttempts: 1, lastAttemptAt: now - 90_000),
    ]

    static let stuck: [StuckSync] = [
        StuckSync(rowID: id(11), workspaceID: id(101), workspace: "acme", repository: "acme/infra",
                  lastSyncAt: now - 30_000, nextSyncAt: now - 10_800, syncAttempts: 0, leasedBy: "worker-2@host",
                  leaseExpiresAt: now - 600),
        StuckSync(rowID: id(12), workspaceID: id(104), workspace: "rocket 🚀", repository: "rocket/launch",
                  lastSyncAt: nil, nextSyncAt: now - 7_500, syncAttempts: 3, leasedBy: nil, leaseExpiresAt: nil),
    ]

    static let snapshot = DashboardSnapshot(
        readAt: now - 1,
        status: SyncStatusCounts(active: 120, success: 104, failed: 4, partial: 2, neverSynced: 10, dueNow: 6,
                                 syncingNow: 2, averageHoursSinceSync: 3.24, freshness: 0.92, runsLastHour: 34,
                                 issuesLastHour: 1_234, runsPerFiveMinutes: [1, 3, 2, 5, 8, 2, 0, 4, 6, 3, 1, 2]),
        failed: failed,
        stuck: stuck,
        rateLimit: RateLimitGauge(limit: 5000, remaining: 3120, resetAt: now + 1_384, observedAt: now - 12,
                                  usedLastFifteenMinutes: 630),
        tiers: [
            TierUsage(tier: "private", workspaces: 3, repositoriesUsed: 40, repositoriesAllowed: 300, issuesSynced: 88_000, estimatedMonthlyAPICalls: 43_200),
            TierUsage(tier: "pro", workspaces: 12, repositoriesUsed: 58, repositoriesAllowed: 60, issuesSynced: 23_456, estimatedMonthlyAPICalls: 20_880),
            TierUsage(tier: "free", workspaces: 50, repositoriesUsed: 160, repositoriesAllowed: 150, issuesSynced: 9_100, estimatedMonthlyAPICalls: 7_200),
        ])

    /// A live dashboard with the fixture data, focused on `pane`.
    static func state(focus: Pane = .status, readOnly: Bool = false) -> DashboardState {
        var state = DashboardState(database: "localhost/wsync", readOnly: readOnly, interval: 2, now: now,
                                   themeNames: ["default", "light", "mono"], themeName: "default")
        state.timeZone = TimeZone(identifier: "UTC")!
        state = update(state, .snapshot(snapshot)).0
        state.focus = focus
        return state
    }

    /// Applies events in order, collecting every command.
    static func run(_ state: DashboardState, _ events: [Event]) -> (DashboardState, [Command]) {
        events.reduce((state, [Command]())) { acc, event in
            let (next, commands) = update(acc.0, event)
            return (next, acc.1 + commands)
        }
    }

    static func keys(_ text: String) -> [Event] { text.map { .key(.character($0)) } }
}
