import Dashboard
import Foundation
import Postgres
import SyncEngine

/// A fixed moment and a fixed data set, so render goldens never depend on the clock or the machine.
/// Read models are built the way the engine builds them: decoded from the JSON its SQL returns.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_795_960_931)  // 2026-11-29 14:02:11 UTC

    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    static func time(_ offset: TimeInterval) -> String { PostgresTimestamp.format(now + offset) }

    static func decode<T: Decodable>(_ object: Any, as type: T.Type = T.self) -> T {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! PostgresJSON.decoder.decode(T.self, from: data)
    }

    static func failedRow(_ n: Int, workspace: Int, _ workspaceName: String, _ repository: String, error: String,
                          attempts: Int, lastAttempt: TimeInterval) -> [String: Any] {
        ["job_id": id(n).uuidString, "workspace_id": id(workspace).uuidString, "tracked_repository_id": id(n + 500).uuidString,
         "workspace": workspaceName, "repository": repository, "last_sync_error": error, "sync_attempts": attempts,
         "last_attempt_at": time(lastAttempt), "last_sync_at": time(-90_000), "next_sync_at": time(600), "is_active": true,
         "queued_for_retry": attempts == 0 && error.isEmpty]
    }

    static var failedJSON: [[String: Any]] { [
        failedRow(1, workspace: 101, "acme", "acme/api", error: "GitHub 502 Server Error (retrying with backoff)", attempts: 7, lastAttempt: -600),
        failedRow(2, workspace: 101, "acme", "acme/web", error: "GitHub 404 Not Found: repository missing or private", attempts: 5, lastAttempt: -3_700),
        failedRow(3, workspace: 102, "初期ワークスペース", "nihon/設定", error: "GitHub 502 Server Error (retrying with backoff)", attempts: 2, lastAttempt: -40),
        failedRow(4, workspace: 103, "evil", "evil/\u{1B}[31mred", error: "bad JSON: \u{1B}]0;pwned\u{07} at byte 12", attempts: 1, lastAttempt: -90_000),
    ] }

    static var failed: [FailedSync] { decode(failedJSON) }

    static var stuckJSON: [[String: Any]] { [
        ["job_id": id(11).uuidString, "workspace_id": id(101).uuidString, "tracked_repository_id": id(511).uuidString,
         "workspace": "acme", "full_name": "acme/infra", "last_sync_at": time(-30_000), "next_sync_at": time(-10_800),
         "sync_attempts": 0, "overdue_hours": 3.0, "lease_owner": "worker-2@host", "lease_expires_at": time(-600),
         "reason": "lease_expired"],
        ["job_id": id(12).uuidString, "workspace_id": id(104).uuidString, "tracked_repository_id": id(512).uuidString,
         "workspace": "rocket 🚀", "full_name": "rocket/launch", "last_sync_at": NSNull(), "next_sync_at": time(-7_500),
         "sync_attempts": 3, "overdue_hours": 2.08, "lease_owner": NSNull(), "lease_expires_at": NSNull(), "reason": "overdue"],
    ] }

    static func worker(_ host: String, pid: Int, state: String, jobs: Int, heartbeat: TimeInterval, progress: TimeInterval,
                       started: TimeInterval) -> [String: Any] {
        ["id": "worker:\(host):\(pid):abcd1234", "hostname": host, "pid": pid, "version": "0.1.0", "concurrency": 4,
         "current_jobs": jobs, "rate_limit_reserve": 100, "started_at": time(started), "heartbeat_at": time(heartbeat),
         "last_progress_at": time(progress), "stopped_at": NSNull(), "state": state]
    }

    static var workersJSON: [[String: Any]] { [
        worker("sync-1", pid: 4242, state: "alive", jobs: 2, heartbeat: -3, progress: -1, started: -86_400),
        worker("sync-2", pid: 977, state: "dead", jobs: 4, heartbeat: -400, progress: -420, started: -90_000),
    ] }

    /// A day per half hour: failures now and then, the rate limit dipping low twice, no readings at first.
    static var historyJSON: [String: Any] {
        let failures = [0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 5, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                        0, 0, 0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 2]
        let left: [Int?] = Array(repeating: nil, count: 6) + [4800, 4500, 4000, 3200, 2100, 900, 400, 4900, 4700, 4200, 3900, 3500,
                          3000, 2600, 2000, 1500, 4950, 4800, 4600, 4400, 4100, 3900, 3600, 3300, 3000, 2800, 2500, 2200, 1800,
                          1200, 600, 250, 4900, 4700, 4500, 4300, 4000, 3700, 3400, 3120, 3120, 3120]
        var buckets: [[String: Any]] = []
        for i in 0..<48 {
            var bucket: [String: Any] = ["bucket_start": time(Double(i - 47) * 1800 - 131), "runs": 30 + i % 7, "failed_runs": failures[i]]
            if let remaining = left[i] {
                bucket["rate_limit_remaining"] = remaining
                bucket["rate_limit_limit"] = 5000
            }
            buckets.append(bucket)
        }
        return ["bucket_minutes": 30, "buckets": buckets]
    }

    /// The newest runs and actions, newest first: a reset, runs that failed, succeeded and still run, an undone stop.
    static var eventsJSON: [[String: Any]] { [
        ["kind": "action", "id": 43, "at": time(-20), "actor": "oncall", "action": "reset", "status": "done",
         "summary": "reset 1 sync: attempts 0, due now, error cleared", "affected_rows": 1,
         "parameters": ["job_id": id(1).uuidString.lowercased()], "repository": "acme/api", "workspace": "acme"],
        ["kind": "run", "id": 901, "at": time(-45), "actor": "worker:sync-1:4242:abcd1234", "action": "schedule", "status": "failed",
         "repository": "acme/api", "workspace": "acme", "error": "GitHub 502 Server Error", "issues_stored": 0, "api_calls": 1,
         "duration_ms": 3_200],
        ["kind": "run", "id": 900, "at": time(-70), "actor": "worker:sync-1:4242:abcd1234", "action": "schedule", "status": "success",
         "repository": "rocket/launch", "workspace": "rocket 🚀", "issues_stored": 12, "api_calls": 3, "duration_ms": 2_100],
        ["kind": "run", "id": 899, "at": time(-95), "actor": "manual:laptop:77:0f0f0f0f", "action": "manual", "status": "running",
         "repository": "acme/web", "workspace": "acme", "issues_stored": 0, "api_calls": 0],
        ["kind": "action", "id": 42, "at": time(-300), "actor": "oncall", "action": "stop-all", "status": "undone",
         "summary": "stopped 120 active syncs", "affected_rows": 120, "parameters": ["reason": "GitHub outage"]],
    ] }

    static var snapshotJSON: [String: Any] {
        [
            "taken_at": time(-1),
            "status": [
                "health": ["total_workspaces": 120, "successful": 104, "failed": 4, "avg_hours_since_sync": 3],
                "partial": 2, "never_synced": 10, "due_now": 6, "syncing_now": 2, "inactive": 7, "freshness": 0.92,
                "runs_last_hour": 34, "failed_runs_last_hour": 3, "issues_last_hour": 1_234,
                "throughput": [1, 3, 2, 5, 8, 2, 0, 4, 6, 3, 1, 2].enumerated().map { n, runs in
                    ["bucket_start": time(Double(n - 11) * 300), "runs": runs, "failed_runs": 0, "issues": runs * 10] as [String: Any]
                },
                "pause": ["is_paused": false],
                "workers": workersJSON,
                "claim_blockers": [] as [[String: Any]],
            ] as [String: Any],
            "failed": failedJSON,
            "failed_total": failedJSON.count,
            "failed_queued": 0,
            "stuck": stuckJSON,
            "rate_limit": ["limit": 5000, "remaining": 3120, "used": 1880, "reset_at": time(1_384), "observed_at": time(-12),
                           "observation_age_seconds": 11.0, "burn_per_minute": 42.0, "projected_exhaustion_at": time(-12 + 3120 / 42 * 60),
                           "exhausts_before_reset": false, "tokens": [] as [[String: Any]]] as [String: Any],
            "tiers": [
                ["tier": "private", "workspaces": 3, "repositories_tracked": 40, "repositories_allowed": 300, "active_jobs": 40,
                 "issues_synced": 88_000, "estimated_monthly_syncs": 8_640.0, "estimated_monthly_api_calls": 43_200.0],
                ["tier": "pro", "workspaces": 12, "repositories_tracked": 58, "repositories_allowed": 60, "active_jobs": 58,
                 "issues_synced": 23_456, "estimated_monthly_syncs": 4_176.0, "estimated_monthly_api_calls": 20_880.0],
                ["tier": "free", "workspaces": 50, "repositories_tracked": 160, "repositories_allowed": 150, "active_jobs": 160,
                 "issues_synced": 9_100, "estimated_monthly_syncs": 1_440.0, "estimated_monthly_api_calls": 7_200.0],
            ] as [[String: Any]],
            "history": historyJSON,
            "events": eventsJSON,
        ]
    }

    static var snapshot: DashboardSnapshot { decode(snapshotJSON) }

    /// The snapshot with a changed field, e.g. the global pause on.
    static func snapshot(_ change: (inout [String: Any]) -> Void) -> DashboardSnapshot {
        var json = snapshotJSON
        change(&json)
        return decode(json)
    }

    static let runs: [SyncRun] = decode([
        ["id": 9, "job_id": id(1).uuidString, "worker_id": "worker-1@host", "trigger": "schedule", "started_at": time(-600),
         "finished_at": time(-597), "duration_ms": 3_200, "api_calls": 1, "not_modified": 0, "pages": 0, "issues_fetched": 0,
         "issues_stored": 0, "status": "failed", "error": "GitHub 502 Server Error"],
        ["id": 8, "job_id": id(1).uuidString, "worker_id": "worker-2@host", "trigger": "manual", "started_at": time(-7_800),
         "finished_at": time(-7_787), "duration_ms": 12_900, "api_calls": 4, "not_modified": 1, "pages": 3, "issues_fetched": 230,
         "issues_stored": 230, "status": "success", "error": NSNull()],
    ] as [[String: Any]])

    /// Job 1 (acme/api) in full, as the detail loads it.
    static var job: JobDetail { decode([
        "job_id": id(1).uuidString, "workspace_id": id(101).uuidString, "workspace": "acme", "tracked_repository_id": id(501).uuidString,
        "repository": "acme/api", "is_active": true, "priority_score": 80, "sync_frequency_hours": 6, "next_sync_at": time(600),
        "last_sync_at": time(-90_000), "last_attempt_at": time(-600), "last_sync_status": "failed",
        "last_sync_error": "GitHub 502 Server Error (retrying with backoff): the upstream proxy closed the connection after 30 s while reading the response body",
        "sync_attempts": 7, "lease_owner": NSNull(), "lease_expires_at": NSNull(), "total_issues_fetched": 1_234,
        "runs": [] as [Any],
    ] as [String: Any]) }

    static let audit: [AuditEntry] = decode([
        ["id": 42, "at": time(-300), "actor": "oncall", "action": "stop-all", "parameters": ["reason": "GitHub outage"],
         "summary": "stopped 120 active syncs", "affected_rows": 120, "undoable": true, "undone_at": time(-100), "undone_by": "oncall",
         "result": "succeeded"],
        ["id": 41, "at": time(-900), "actor": "oncall", "action": "reset", "parameters": [:] as [String: String],
         "summary": "reset 1 failed sync", "affected_rows": 1, "undoable": true, "result": "succeeded"],
    ] as [[String: Any]])

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
