import Foundation
import Postgres

/// Which rows a manual sync takes: by workspace and/or repository, or exact job ids (the dashboard's selected row).
/// With no selector: the due rows by priority.
public struct SyncSelection: Sendable, Codable, Equatable {
    public var workspaceID: UUID?
    /// `owner/name`, case-insensitive.
    public var repository: String?
    public var jobIDs: [UUID]
    public var limit: Int?

    public init(workspaceID: UUID? = nil, repository: String? = nil, jobIDs: [UUID] = [], limit: Int? = nil) {
        self.workspaceID = workspaceID
        self.repository = repository
        self.jobIDs = jobIDs
        self.limit = limit
    }

    var hasSelector: Bool { workspaceID != nil || repository != nil || !jobIDs.isEmpty }

    /// Active rows matching the selection (due ones only when nothing is selected), by priority.
    func matchingJobIDs(_ connection: Connection) throws -> [UUID] {
        try connection.query("""
            SELECT wtr.id FROM workspace_tracked_repositories wtr \(SyncJob.joins)
            WHERE wtr.is_active
              AND (\(workspaceID)::uuid IS NULL OR wtr.workspace_id = \(workspaceID)::uuid)
              AND (\(repository)::text IS NULL OR lower(r.full_name) = lower(\(repository)::text))
              AND (cardinality(\(jobIDs)::uuid[]) = 0 OR wtr.id = ANY(\(jobIDs)::uuid[]))
              AND (\(hasSelector) OR (coalesce(wtr.fetch_issues, \(JobDefaults.fetchIssues))
                                      AND (wtr.next_sync_at <= now() OR wtr.next_sync_at IS NULL)))
            ORDER BY coalesce(wtr.priority_score, \(JobDefaults.priority)) DESC, wtr.next_sync_at NULLS FIRST, wtr.id
            LIMIT \(limit ?? 1_000_000)
            """).map { try $0.decode("id") }
    }
}

public struct SyncNowOptions: Sendable {
    /// Fetch issues updated in the last H hours instead of since each row's high-water mark.
    public var hoursBack: Int?
    /// Fetch and report; write nothing (no rows, no history, no leases, no audit).
    public var dryRun: Bool
    public var maxPages: Int?
    public var concurrency: Int
    public var leases: LeaseSettings
    public var backoff: FailureBackoff

    public init(
        hoursBack: Int? = nil, dryRun: Bool = false, maxPages: Int? = nil, concurrency: Int = 2,
        leases: LeaseSettings = LeaseSettings(), backoff: FailureBackoff = FailureBackoff()
    ) {
        self.hoursBack = hoursBack
        self.dryRun = dryRun
        self.maxPages = maxPages
        self.concurrency = concurrency
        self.leases = leases
        self.backoff = backoff
    }
}

/// The result of a manual sync, shaped like the guide's sync function response.
public struct SyncNowResult: Sendable, Codable, Equatable {
    public var success: Bool
    public var dryRun: Bool
    public var repositoriesProcessed: Int
    public var totalIssuesFound: Int
    public var totalIssuesSynced: Int
    public var apiCalls: Int
    /// Matching rows another worker was syncing at that moment (left to it).
    public var skippedBusy: [UUID]
    public var results: [RunReport]
    public var auditID: Int64?

    /// "synced 3 repositories: 2 success, 0 partial, 1 failed, 42 issues stored, 5 API calls" (the audit entry's
    /// summary and the dashboard's message).
    public var summary: String {
        let counts = Dictionary(grouping: results, by: \.status).mapValues(\.count)
        return "synced \(counted(repositoriesProcessed, "repository", plural: "repositories")): "
            + ["success", "partial", "failed"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
            + ", \(totalIssuesSynced) issues stored, \(apiCalls) API calls"
    }
}

/// "Sync these rows now": the guide's manual sync, through the same run code as the worker. Used by `wsync sync`,
/// `wsync retry` and the dashboard's `s`/`S` keys. Audited (one row) unless it is a dry run.
public struct ManualSync: Sendable {
    public let database: ConnectionConfiguration
    public let github: GitHubConfiguration
    public let retry: RetryPolicy

    public init(database: ConnectionConfiguration, github: GitHubConfiguration, retry: RetryPolicy = RetryPolicy()) {
        self.database = database
        self.github = github
        self.retry = retry
    }

    public func syncNow(_ selection: SyncSelection, options: SyncNowOptions = SyncNowOptions(), actor: String) async throws -> SyncNowResult {
        let session = try await SyncSession.open(
            kind: "manual", database: database, github: github, retry: retry, leases: options.leases,
            concurrency: options.concurrency, register: !options.dryRun
        )
        let heartbeat = options.dryRun ? nil : session.heartbeat()
        defer { heartbeat?.cancel() }
        do {
            let result = try await run(selection, options: options, actor: actor, session: session)
            if !options.dryRun { await session.close() }
            return result
        } catch {
            if !options.dryRun { await session.close() }
            throw error
        }
    }

    private func run(_ selection: SyncSelection, options: SyncNowOptions, actor: String, session: SyncSession) async throws -> SyncNowResult {
        let (owner, leases, dryRun) = (session.id, options.leases, options.dryRun)
        let (jobs, matched) = try await session.control.run { c -> ([SyncJob], [UUID]) in
            if !dryRun, let reason = try PauseSwitch.reason(c) { throw WSyncError.paused(reason) }
            let ids = try selection.matchingJobIDs(c)
            if ids.isEmpty, selection.hasSelector {
                throw WSyncError.notFound("no active tracked repository matches the selection", hint: .refresh)
            }
            if dryRun {
                let jobs = try c.query("""
                    SELECT \(SyncJob.columns) FROM workspace_tracked_repositories wtr \(SyncJob.joins)
                    WHERE wtr.id = ANY(\(ids)::uuid[])
                    ORDER BY wtr.priority_score DESC, wtr.id
                    """).map(SyncJob.init(row:))
                return (jobs, ids)
            }
            return (try JobLeases.claim(c, ids: ids, owner: owner, settings: leases), ids)
        }
        let reports = await runAll(jobs, options: options, session: session)
        await session.notifier.runFinished()
        var result = SyncNowResult(
            success: reports.allSatisfy { $0.status != "failed" }, dryRun: dryRun,
            repositoriesProcessed: reports.count, totalIssuesFound: reports.map(\.issuesFound).reduce(0, +),
            totalIssuesSynced: reports.map(\.issuesSynced).reduce(0, +), apiCalls: reports.map(\.apiCalls).reduce(0, +),
            skippedBusy: matched.filter { id in !jobs.contains { $0.id == id } }, results: reports, auditID: nil
        )
        if !dryRun {
            result.auditID = try await audit(result, selection: selection, options: options, actor: actor, session: session)
        }
        return result
    }

    /// Runs the jobs on `concurrency` slots, each with its own connection; reports in the jobs' order.
    private func runAll(_ jobs: [SyncJob], options: SyncNowOptions, session: SyncSession) async -> [RunReport] {
        let queue = JobQueue(jobs)
        let slots = max(1, min(options.concurrency, jobs.count))
        let reports = await withTaskGroup(of: [RunReport].self) { group in
            for index in 0..<slots {
                group.addTask {
                    var done: [RunReport] = []
                    let db = options.dryRun ? nil : try? await session.slotConnection(index)
                    while let job = await queue.next() {
                        let context = RunContext(
                            client: session.client, database: db, owner: session.id, trigger: "manual",
                            leases: options.leases, backoff: options.backoff, maxPages: options.maxPages,
                            hoursBack: options.hoursBack, rateLimitReserve: 0,
                            shouldStop: {
                                guard let db, let reason = try? await db.run({ try PauseSwitch.reason($0) }) else { return .keepGoing }
                                return .stop(reason: reason)
                            }
                        )
                        if db == nil, !options.dryRun {
                            done.append(RunReport(
                                jobID: job.id, workspaceID: job.workspaceID, repository: job.fullName, status: "failed",
                                issuesFound: 0, issuesSynced: 0, apiCalls: 0, notModified: 0, pages: 0,
                                error: "could not open a database connection for the sync"
                            ))
                            continue
                        }
                        done.append(await JobRunner(context: context).run(job).report)
                    }
                    return done
                }
            }
            var all: [RunReport] = []
            for await part in group { all += part }
            return all
        }
        let order = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
        return reports.sorted { order[$0.jobID, default: 0] < order[$1.jobID, default: 0] }
    }

    private func audit(_ result: SyncNowResult, selection: SyncSelection, options: SyncNowOptions, actor: String, session: SyncSession) async throws -> Int64 {
        var parameters: [String: String] = [:]
        parameters["workspace"] = selection.workspaceID?.uuidString.lowercased()
        parameters["repository"] = selection.repository
        parameters["jobs"] = selection.jobIDs.isEmpty ? nil : selection.jobIDs.map { $0.uuidString.lowercased() }.joined(separator: ",")
        parameters["limit"] = selection.limit.map(String.init)
        parameters["hours_back"] = options.hoursBack.map(String.init)
        parameters["max_pages"] = options.maxPages.map(String.init)
        let (summary, affected, fixed) = (result.summary, result.repositoriesProcessed, parameters)
        return try await session.control.run { c in
            try AuditLog.record(c, actor: actor, action: .sync, parameters: fixed, summary: summary, affectedRows: affected)
        }
    }
}

/// Hands jobs to slots one at a time.
private actor JobQueue {
    private var jobs: [SyncJob]
    init(_ jobs: [SyncJob]) { self.jobs = jobs.reversed() }
    func next() -> SyncJob? { jobs.popLast() }
}
