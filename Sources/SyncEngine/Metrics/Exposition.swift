import Foundation

/// `wsync metrics`: what the dashboard shows, as Prometheus families. Names follow Prometheus' conventions — the
/// `wsync_` prefix, base units (seconds, ratios), `_total` on counters — and labels take a few fixed values (state,
/// tier, error class, resource, reason), never a repository or workspace. Label sets that alerts match on are
/// complete (a zero rather than a missing series).
public enum WSyncMetrics {
    /// One scrape: a single read, or — when the database cannot be read — `wsync_up 0` and nothing it would have said.
    public static func scrape(_ database: DatabaseQueue) async -> String {
        let snapshot = try? await database.run { try MetricsSnapshot.fetch($0) }
        return PrometheusText.render(families(snapshot))
    }

    public static func families(_ snapshot: MetricsSnapshot?) -> [MetricFamily] {
        let process = [
            MetricFamily("wsync_up", .gauge, "1 when this scrape read the database, 0 when it could not (other values are then absent).",
                         value: snapshot == nil ? 0 : 1),
            MetricFamily("wsync_build_info", .gauge, "The wsync version serving these metrics.",
                         [.init(labels: [("version", WSyncVersion.current)], value: 1)]),
        ]
        guard let snapshot else { return process }
        return process + jobs(snapshot) + tiers(snapshot.tiers) + github(snapshot) + runs(snapshot) + workers(snapshot.status)
    }

    private static func jobs(_ m: MetricsSnapshot) -> [MetricFamily] {
        let s = m.status
        var failures = Dictionary(uniqueKeysWithValues: FailureClass.allCases.map { ($0, 0) })
        for row in m.failedErrors { failures[FailureClass(error: row.error), default: 0] += row.jobs }
        return [
            MetricFamily("wsync_jobs", .gauge, "Sync jobs by state (success, failed, partial, never_synced: active; inactive) and workspace tier.",
                         m.jobs.map { .init(labels: [("state", $0.state), ("tier", $0.tier)], value: Double($0.jobs)) }),
            MetricFamily("wsync_jobs_due", .gauge, "Active jobs due now that no worker holds.", value: Double(s.dueNow)),
            MetricFamily("wsync_jobs_syncing", .gauge, "Jobs a worker holds under an unexpired lease.", value: Double(s.syncingNow)),
            MetricFamily("wsync_jobs_stuck", .gauge, "Active jobs overdue by more than 2 hours (wsync stuck).", value: Double(m.stuck)),
            MetricFamily("wsync_jobs_fresh_ratio", .gauge, "Share of active jobs whose last run succeeded within their frequency (1 without active jobs).",
                         value: s.freshness ?? 1),
            MetricFamily("wsync_oldest_sync_age_seconds", .gauge, "Seconds since the least recently synced active job last synced.",
                         m.oldestSyncAgeSeconds.map { [.init(value: $0)] } ?? []),
            MetricFamily("wsync_jobs_failing_repeatedly", .gauge,
                         "Jobs failed with more than 3 attempts: what wsync check counts with its defaults (it alerts above 5).",
                         value: Double(m.failingRepeatedly)),
            MetricFamily("wsync_failed_jobs", .gauge, "Active jobs whose last sync failed, by class of error.",
                         FailureClass.allCases.map { .init(labels: [("error_class", $0.rawValue)], value: Double(failures[$0] ?? 0)) }),
            MetricFamily("wsync_paused", .gauge, "1 while the global sync pause is on (wsync stop-all, rollback; wsync resume lifts it).",
                         value: s.pause.isPaused ? 1 : 0),
        ]
    }

    private static func tiers(_ tiers: [TierUsage]) -> [MetricFamily] {
        func perTier(_ value: (TierUsage) -> Double) -> [MetricFamily.Sample] {
            tiers.map { .init(labels: [("tier", $0.tier)], value: value($0)) }
        }
        return [
            MetricFamily("wsync_tier_workspaces", .gauge, "Workspaces of each tier.", perTier { Double($0.workspaces) }),
            MetricFamily("wsync_tier_repositories", .gauge, "Repositories the tier's workspaces track.", perTier { Double($0.repositoriesTracked) }),
            MetricFamily("wsync_tier_repositories_allowed", .gauge, "Repositories the tier's workspaces may track.",
                         perTier { Double($0.repositoriesAllowed) }),
            MetricFamily("wsync_tier_issues", .gauge, "Issues synced for the tier's workspaces.", perTier { Double($0.issuesSynced) }),
            MetricFamily("wsync_tier_estimated_monthly_api_calls", .gauge, "GitHub API calls a month the tier's sync frequencies imply.",
                         perTier { $0.estimatedMonthlyApiCalls }),
        ]
    }

    private static func github(_ m: MetricsSnapshot) -> [MetricFamily] {
        func perResource(_ value: (MetricsSnapshot.RateLimit) -> Double) -> [MetricFamily.Sample] {
            m.rateLimits.map { .init(labels: [("token", $0.token), ("resource", $0.resource)], value: value($0)) }
        }
        return [
            MetricFamily("wsync_github_rate_limit_limit", .gauge,
                         "Requests GitHub allows per window, as last observed, per token (label or fingerprint, never the token).",
                         perResource { Double($0.limit) }),
            MetricFamily("wsync_github_rate_limit_remaining", .gauge, "Requests left in the window, as last observed.",
                         perResource { Double($0.remaining) }),
            MetricFamily("wsync_github_rate_limit_reset_timestamp_seconds", .gauge, "When the window resets (Unix time).",
                         perResource { $0.resetAt.timeIntervalSince1970 }),
            MetricFamily("wsync_github_rate_limit_observed_timestamp_seconds", .gauge, "When the rate limit was last observed (Unix time).",
                         perResource { $0.observedAt.timeIntervalSince1970 }),
        ]
    }

    private static func runs(_ m: MetricsSnapshot) -> [MetricFamily] {
        func total(_ value: (MetricsSnapshot.RunTotals) -> Int) -> Double { Double(m.runs.map(value).reduce(0, +)) }
        let byStatus = Dictionary(uniqueKeysWithValues: m.runs.map { ($0.status, $0.runs) })
        var counts = Array(repeating: 0, count: MetricsSnapshot.durationBounds.count + 1)
        for row in m.durations where counts.indices.contains(row.bucket) { counts[row.bucket] += row.runs }
        // Totals over the recorded history: wsync cleanup prunes runs after 90 days, which Prometheus sees as a reset.
        return [
            MetricFamily("wsync_sync_runs_total", .counter, "Finished sync runs by status.",
                         ["success", "partial", "failed", "aborted"].map { .init(labels: [("status", $0)], value: Double(byStatus[$0] ?? 0)) }),
            MetricFamily("wsync_github_requests_total", .counter, "GitHub API requests made by finished runs.", value: total(\.apiCalls)),
            MetricFamily("wsync_github_not_modified_total", .counter, "304 Not Modified answers (free of rate limit) in finished runs.",
                         value: total(\.notModified)),
            MetricFamily("wsync_issues_fetched_total", .counter, "Issues fetched from GitHub by finished runs.", value: total(\.issuesFetched)),
            MetricFamily("wsync_issues_stored_total", .counter, "Issues stored by finished runs.", value: total(\.issuesStored)),
            .histogram("wsync_sync_run_duration_seconds", "Duration of finished sync runs.", bounds: MetricsSnapshot.durationBounds,
                       counts: counts, sum: m.durations.map(\.seconds).reduce(0, +)),
        ]
    }

    private static func workers(_ s: SyncStatus) -> [MetricFamily] {
        let alive = s.workers.filter { $0.state == .alive }
        let blocked = Set(s.claimBlockers.map(\.reason))
        let reasons: [ClaimBlocker.Reason] = [.globalPause, .rateLimitReserve, .noWorkerAlive, .allWorkersBusy]
        return [
            MetricFamily("wsync_workers", .gauge, "Worker processes by liveness (dead: no heartbeat for 30 s; hung: no progress for 300 s).",
                         [WorkerState.Liveness.alive, .hung, .dead, .stopped].map { state in
                             .init(labels: [("state", state.rawValue)], value: Double(s.workers.filter { $0.state == state }.count))
                         }),
            MetricFamily("wsync_worker_slots", .gauge, "Concurrent job slots of live workers.", value: Double(alive.map(\.concurrency).reduce(0, +))),
            MetricFamily("wsync_worker_busy_slots", .gauge, "Slots of live workers holding a job.", value: Double(alive.map(\.currentJobs).reduce(0, +))),
            MetricFamily("wsync_claims_blocked", .gauge, "1 while this keeps workers from claiming due jobs (wsync workers names it).",
                         reasons.map { .init(labels: [("reason", $0.rawValue)], value: blocked.contains($0) ? 1 : 0) }),
        ]
    }
}
