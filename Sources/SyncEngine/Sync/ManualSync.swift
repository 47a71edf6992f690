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
    public var gone: GonePolicy

    public init(
        hoursBack: Int? = nil, dryRun: Bool = false, maxPages: Int? = nil, concurrency: Int = 2,
        leases: LeaseSettings = LeaseSettings(), backoff: FailureBackoff = FailureBackoff(), gone: GonePolicy = GonePolicy()
    ) {
        self.gone = gone
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
    /// True only when every run ended `success` (a partial or failed run makes it false; `results` say which).
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

    /// "synced 3 repositories: 2 success, 0 partial, 1 failed, 42 issues stored, 5 API calls (acme/api, acme/web,
    /// acme/cli)" (the audit entry's summary and the dashboard's message): what happened, then which repositories.
    public var summary: String {
        let names = results.map(\.repository).prefix(ResetRule.namesShown).joined(separator: ", ")
        let more = results.count > ResetRule.namesShown ? " and \(results.count - ResetRule.namesShown) more" : ""
        return "synced \(repositoriesText): \(outcomeText)" + (names.isEmpty ? "" : " (\(names)\(more))")
    }

    /// "3 repositories".
    public var repositoriesText: String { counted(repositoriesProcessed, "repository", plural: "repositories") }

    /// "2 success, 0 partial, 1 failed, 42 issues stored, 5 API calls".
    public var outcomeText: String {
        let counts = Dictionary(grouping: results, by: \.status).mapValues(\.count)
        return ["success", "partial", "failed"].map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
            + ", \(counted(totalIssuesSynced, "issue")) stored, \(counted(apiCalls, "API call"))"
    }
}

/// "Sync these rows now": the guide's manual sync, through the same run code as the worker. Used by `wsync sync`,
/// `wsync retry` and the dashboard's `s`/`S` keys. Audited (one row) unless it is a dry run.
public struct ManualSync: Sendable {
    public let database: ConnectionConfiguration
    public let github: GitHubConfiguration
    public let retry: RetryPolicy
    /// Lines for the operator while it runs (a token set aside).
    public let log: @Sendable (String) -> Void

    public init(
        database: ConnectionConfiguration, github: GitHubConfiguration, retry: RetryPolicy = RetryPolicy(),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.database = database
        self.github = github
        self.retry = retry
        self.log = log
    }

    /// Throws `WSyncError.gitHubAuthentication` (after recording what it did) when GitHub refused every token.
    public func syncNow(_ selection: SyncSelection, options: SyncNowOptions = SyncNowOptions(), actor: String) async throws -> SyncNowResult {
        try await run(.sync(selection), options: options, actor: actor).sync
    }

    /// The guide's "reset failed sync, then trigger an immediate retry" as one action: the reset, the claim of the
    /// reset rows and the audit row `retry` (carrying the reset's undo data) in one transaction, then the sync,
    /// whose outcome completes that row.
    public func retry(_ selector: JobSelector, options: SyncNowOptions = SyncNowOptions(), actor: String) async throws -> RetryResult {
        let (sync, reset) = try await run(.retry(selector), options: options, actor: actor)
        return RetryResult(reset: reset!, sync: sync)
    }

    /// What a manual sync starts from: a selection of rows, or a reset whose rows it then syncs.
    private enum Start: Sendable {
        case sync(SyncSelection)
        case retry(JobSelector)

        var action: AuditAction {
            switch self {
            case .sync: .sync
            case .retry: .retry
            }
        }
    }

    /// The claim's transaction: what was claimed, the audit row that records it, and the reset (for a retry).
    private struct Claim: Sendable {
        var jobs: [SyncJob]
        var matched: [UUID]
        var auditID: Int64?
        var reset: ActionOutcome?
    }

    private func run(_ start: Start, options: SyncNowOptions, actor: String) async throws -> (sync: SyncNowResult, reset: ActionOutcome?) {
        let session = try await SyncSession.open(
            kind: "manual", database: database, github: github, retry: retry, leases: options.leases,
            concurrency: options.concurrency, register: !options.dryRun
        )
        let heartbeat = options.dryRun ? nil : session.heartbeat()
        defer { heartbeat?.cancel() }
        do {
            let result = try await run(start, options: options, actor: actor, session: session)
            if !options.dryRun { await session.close() }
            return result
        } catch {
            if !options.dryRun { await session.close() }
            throw error
        }
    }

    private func run(_ start: Start, options: SyncNowOptions, actor: String, session: SyncSession) async throws -> (sync: SyncNowResult, reset: ActionOutcome?) {
        let (owner, leases, dryRun, parameters) = (session.id, options.leases, options.dryRun, Self.parameters(start, options: options))
        let claim = try await session.control.run { c in
            do {
                return try c.transaction { c in
                    try Operations.serializeActions(c)
                    return try Self.claim(start, owner: owner, leases: leases, dryRun: dryRun, actor: actor, parameters: parameters, connection: c)
                }
            } catch {
                // Refused after it was attempted (syncing paused, the database failed): logged as failed.
                if !dryRun, AuditLog.isAttempt(error) {
                    AuditLog.recordFailure(c, actor: actor, action: start.action, parameters: parameters, error: error)
                }
                throw error
            }
        }
        let runs = await runAll(claim.jobs, options: options, session: session)
        let reports = runs.map(\.report)
        await session.notifier.runFinished()
        let result = SyncNowResult(
            success: reports.allSatisfy { $0.status == "success" }, dryRun: dryRun,
            repositoriesProcessed: reports.count, totalIssuesFound: reports.map(\.issuesFound).reduce(0, +),
            totalIssuesSynced: reports.map(\.issuesSynced).reduce(0, +), apiCalls: reports.map(\.apiCalls).reduce(0, +),
            skippedBusy: claim.matched.filter { id in !claim.jobs.contains { $0.id == id } }, results: reports,
            auditID: claim.auditID
        )
        if let auditID = claim.auditID {
            let summary = [claim.reset?.summary, result.summary].compactMap { $0 }.joined(separator: "; then ")
            let affected = claim.reset?.affectedRows ?? result.repositoriesProcessed
            let succeeded = reports.filter { $0.status == "success" }.count
            let outcome = succeeded == reports.count ? "succeeded" : succeeded == 0 ? "failed" : "partial"
            let firstError = reports.compactMap(\.error).first
            try await session.control.run {
                try AuditLog.complete($0, id: auditID, summary: summary, affectedRows: affected, result: outcome, error: firstError)
            }
        }
        for case .badCredentials(let message) in runs.map(\.outcome) {
            // Without a token the one line says so: there was no token to reject.
            if github.tokens.isEmpty {
                throw WSyncError.gitHubAuthentication(
                    "GitHub refused the request made without a token (\(message)); set GITHUB_TOKEN (or a pool in GITHUB_TOKENS)")
            }
            throw WSyncError(GitHubError.badCredentials(message: message))
        }
        // Said after the runs (whose own error, above, would say it better): GitHub allows 60 requests an hour.
        if !claim.jobs.isEmpty { github.warnings.forEach(log) }
        return (result, claim.reset)
    }

    /// Resolves, (for a retry) resets, claims and records, in the caller's transaction.
    private static func claim(_ start: Start, owner: String, leases: LeaseSettings, dryRun: Bool, actor: String,
                              parameters: [String: String], connection c: Connection) throws -> Claim {
        if !dryRun, let reason = try PauseSwitch.reason(c) { throw WSyncError.paused(reason) }
        var reset: (outcome: ActionOutcome, previousState: AuditLog.PreviousState)?
        let ids: [UUID]
        switch start {
        case .sync(let selection):
            ids = try selection.matchingJobIDs(c)
            if ids.isEmpty, selection.hasSelector {
                throw WSyncError.notFound("no active tracked repository matches the selection", hint: .refresh)
            }
        case .retry(let selector):
            // A retry syncs every row it matched, so rows already reset are reset (and then synced) too.
            let row = try c.query(Operations.resetStatement(try selector.resolvedCondition(c), leavingAlreadyReset: false))[0]
            let affected = try row.decode("affected", as: Int.self)
            ids = try row.decode("ids", as: [UUID].self)
            let previousState = AuditLog.PreviousState(field: .retryState, rows: try row.decode("rows", as: JSONText.self))
            reset = (ActionOutcome(actionId: nil, action: .retry, affectedRows: affected, summary: try ResetRule.Result(row).summary,
                                   undoable: AuditLog.isUndoable(.retry, previousState: previousState, affectedRows: affected),
                                   jobIds: ids), previousState)
        }
        if dryRun {
            let jobs = try c.query("""
                SELECT \(SyncJob.columns) FROM workspace_tracked_repositories wtr \(SyncJob.joins)
                WHERE wtr.id = ANY(\(ids)::uuid[])
                ORDER BY coalesce(wtr.priority_score, \(JobDefaults.priority)) DESC, wtr.id
                """).map(SyncJob.init(row:))
            return Claim(jobs: jobs, matched: ids)
        }
        let jobs = try JobLeases.claim(c, ids: ids, owner: owner, settings: leases)
        // Written as the claim commits, so a sync killed half way leaves a row saying so; the end completes it.
        let started = [reset?.outcome.summary, "started syncing \(counted(jobs.count, "repository", plural: "repositories")); no result was recorded: the sync did not finish"]
            .compactMap { $0 }.joined(separator: "; then ")
        let auditID = try AuditLog.record(c, actor: actor, action: start.action, parameters: parameters, summary: started,
                                          affectedRows: reset?.outcome.affectedRows ?? jobs.count,
                                          previousState: reset?.previousState, result: "started")
        var outcome = reset?.outcome
        outcome?.actionId = auditID
        return Claim(jobs: jobs, matched: ids, auditID: auditID, reset: outcome)
    }

    /// Runs the jobs on `concurrency` slots, each with its own connection; results in the jobs' order.
    private func runAll(_ jobs: [SyncJob], options: SyncNowOptions, session: SyncSession) async -> [(report: RunReport, outcome: RunOutcome)] {
        let queue = JobQueue(jobs)
        let slots = max(1, min(options.concurrency, jobs.count))
        let log = log
        let runs = await withTaskGroup(of: [(report: RunReport, outcome: RunOutcome)].self) { group in
            for index in 0..<slots {
                group.addTask {
                    var done: [(report: RunReport, outcome: RunOutcome)] = []
                    let db = options.dryRun ? nil : try? await session.slotConnection(index)
                    while let job = await queue.next() {
                        let context = RunContext(
                            client: session.client, database: db, owner: session.id, trigger: "manual",
                            leases: options.leases, backoff: options.backoff, maxPages: options.maxPages,
                            hoursBack: options.hoursBack, rateLimitReserve: 0, gone: options.gone,
                            refusedAuthors: session.refusedAuthors, log: log,
                            shouldStop: {
                                guard let db, let reason = try? await db.run({ try PauseSwitch.reason($0) }) else { return .keepGoing }
                                return .stop(reason: reason)
                            }
                        )
                        if db == nil, !options.dryRun {
                            let error = "could not open a database connection for the sync"
                            done.append((RunReport(
                                jobID: job.id, workspaceID: job.workspaceID, repository: job.fullName, status: "failed",
                                issuesFound: 0, issuesSynced: 0, apiCalls: 0, notModified: 0, pages: 0, error: error
                            ), .failed(error: error)))
                            continue
                        }
                        done.append(await JobRunner(context: context).run(job))
                    }
                    return done
                }
            }
            var all: [(report: RunReport, outcome: RunOutcome)] = []
            for await part in group { all += part }
            return all
        }
        let order = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
        return runs.sorted { order[$0.report.jobID, default: 0] < order[$1.report.jobID, default: 0] }
    }

    private static func parameters(_ start: Start, options: SyncNowOptions) -> [String: String] {
        var parameters: [String: String] = [:]
        switch start {
        case .sync(let selection):
            parameters["workspace"] = selection.workspaceID?.uuidString.lowercased()
            parameters["repository"] = selection.repository
            parameters["jobs"] = selection.jobIDs.isEmpty ? nil : selection.jobIDs.map { $0.uuidString.lowercased() }.joined(separator: ",")
            parameters["limit"] = selection.limit.map(String.init)
        case .retry(let selector):
            parameters = selector.parameters
        }
        parameters["hours_back"] = options.hoursBack.map(String.init)
        parameters["max_pages"] = options.maxPages.map(String.init)
        return parameters
    }
}

/// What `retry` did: the reset (undoable, recorded as the action `retry`) and the sync of the rows it reset.
public struct RetryResult: Sendable, Codable, Equatable {
    public var reset: ActionOutcome
    public var sync: SyncNowResult
}

/// Hands jobs to slots one at a time.
private actor JobQueue {
    private var jobs: [SyncJob]
    init(_ jobs: [SyncJob]) { self.jobs = jobs.reversed() }
    func next() -> SyncJob? { jobs.popLast() }
}
