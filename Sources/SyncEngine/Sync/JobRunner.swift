import Foundation
import Postgres

/// Why a run should stop between pages (checked before each page).
enum StopCheck: Sendable {
    case keepGoing
    case stop(reason: String)
}

/// What a run needs besides the job: the GitHub client, the database, and the rules of this kind of run.
struct RunContext: Sendable {
    var client: GitHubClient
    /// nil for a dry run: fetch and report, write nothing.
    var database: DatabaseQueue?
    var owner: String
    var trigger: String
    var leases: LeaseSettings
    var backoff: FailureBackoff
    /// Pages per run; reaching it ends the run `partial` and the next run resumes.
    var maxPages: Int?
    /// Fetch issues updated in the last hours instead of since the high-water mark (manual syncs).
    var hoursBack: Int?
    /// Stop between pages once GitHub reports this many requests or fewer left.
    var rateLimitReserve: Int
    /// Asked before every page: global pause, shutdown.
    var shouldStop: @Sendable () async -> StopCheck
}

/// The result of one job's run, as reported to callers (manual sync result, worker log).
public struct RunReport: Sendable, Codable, Equatable {
    public var jobID: UUID
    public var workspaceID: UUID
    public var repository: String
    public var status: String
    public var issuesFound: Int
    public var issuesSynced: Int
    public var apiCalls: Int
    public var notModified: Int
    public var pages: Int
    public var error: String?
}

/// Runs one job: incremental listing since the high-water mark, page by page, each page stored in its own
/// transaction; ends with one bookkeeping transaction. Never throws: every ending is a `RunOutcome`.
struct JobRunner {
    let context: RunContext

    func run(_ job: SyncJob) async -> (report: RunReport, outcome: RunOutcome) {
        var counters = RunCounters()
        var runID: Int64?
        let outcome: RunOutcome
        do {
            if let database = context.database {
                let (worker, trigger) = (context.owner, context.trigger)
                runID = try await database.run { try RunBookkeeping.start($0, job: job, worker: worker, trigger: trigger) }
            }
            outcome = try await fetchAndStore(job, counters: &counters)
        } catch {
            let outcome = runID == nil && context.database != nil
                ? .failed(error: "could not record the run's start: \(error)") : Self.outcome(for: error)
            return await finish(job, runID: runID, outcome: outcome, counters: counters)
        }
        return await finish(job, runID: runID, outcome: outcome, counters: counters)
    }

    private static func outcome(for error: any Error) -> RunOutcome {
        switch error {
        case is LeaseLost: .leaseLost
        case GitHubError.badCredentials(let message): .badCredentials(message: message)
        case GitHubError.primaryRateLimit(let resetAt):
            .partial(reason: "\(error)", resumeAt: resetAt)
        case GitHubError.secondaryRateLimit(let retryAfter):
            .partial(reason: "\(error)", resumeAt: Date().addingTimeInterval(retryAfter))
        default: .failed(error: "\(error)")
        }
    }

    private func fetchAndStore(_ job: SyncJob, counters: inout RunCounters) async throws -> RunOutcome {
        let now = Date()
        let retentionStart = now.addingTimeInterval(-Double(job.dataRetentionDays) * 86_400)
        let since = context.hoursBack.map { now.addingTimeInterval(-Double($0) * 3600) } ?? job.issuesSince ?? retentionStart
        // A run that reaches back at least as far as the mark may move it; a short --hours-back look may not.
        let movesMark = since <= (job.issuesSince ?? retentionStart)
        // The stored ETag belongs to the listing since the stored mark; it is only valid for exactly that request.
        var etag = since == job.issuesSince ? job.issuesETag : nil
        var listingSince = since
        var mark = job.issuesSince
        var url: URL? = context.client.issuesURL(fullName: job.fullName, since: since)
        var firstPageETag: String?
        var isFirstPage = true

        while let current = url {
            if case .stop(let reason) = await context.shouldStop() {
                return .partial(reason: reason, resumeAt: Date())
            }
            if let maxPages = context.maxPages, counters.pages >= maxPages {
                return .partial(reason: "stopped after \(maxPages) pages (page budget); the next run resumes", resumeAt: Date())
            }
            let result = try await context.client.issuesPage(current, etag: isFirstPage ? etag : nil)
            guard case .page(let page) = result else {
                if case .notModified(_, let requests) = result { counters.apiCalls += requests }
                counters.notModified += 1
                return .success(etag: nil, markFloor: nil)
            }
            counters.apiCalls += page.requests
            counters.pages += 1
            counters.fetched += page.issues.count
            var newName: String?
            if let movedID = page.movedToRepositoryID {
                newName = try await context.client.repository(id: movedID).fullName
                counters.apiCalls += 1
            }
            if isFirstPage { firstPageETag = page.etag }
            let pageMark = page.issues.map(\.updatedAt).max()
            if movesMark, let pageMark { mark = max(mark ?? pageMark, pageMark) }
            let stored = try await store(page.issues, job: job, mark: movesMark ? pageMark : nil, renamedTo: newName)
            counters.stored += stored.upserted
            counters.skippedAuthors += stored.skippedAuthors
            counters.skippedIssues += stored.skippedIssues
            isFirstPage = false
            url = page.next
            if url != nil, let rate = page.rateLimit, rate.remaining <= context.rateLimitReserve {
                return .partial(reason: "GitHub rate limit nearly spent (\(rate.remaining) left); resuming at reset", resumeAt: rate.resetAt)
            }
            // The listing is complete. Its ETag is only reusable if the next run asks the same question, i.e. the mark
            // did not move; otherwise ask once more from the new mark to get an ETag the next run can send (a dry run,
            // which stores no mark, has no use for it).
            if url == nil, context.database != nil, movesMark, let mark, mark > listingSince,
               counters.pages < (context.maxPages ?? .max) {
                listingSince = mark
                url = context.client.issuesURL(fullName: job.fullName, since: mark)
                isFirstPage = true
                etag = nil
                firstPageETag = nil
            }
        }
        return .success(etag: movesMark ? firstPageETag : nil, markFloor: movesMark ? listingSince : nil)
    }

    private func store(_ issues: [GitHubIssue], job: SyncJob, mark: Date?, renamedTo newName: String?) async throws -> PageStore.Stored {
        guard let database = context.database else { return PageStore.Stored(upserted: 0) }
        let (owner, lease) = (context.owner, context.leases.lease)
        return try await database.run { connection in
            try PageStore.store(issues, job: job, owner: owner, highWater: mark, renamedTo: newName, lease: lease, connection: connection)
        }
    }

    private func finish(_ job: SyncJob, runID: Int64?, outcome: RunOutcome, counters: RunCounters) async -> (report: RunReport, outcome: RunOutcome) {
        var final = outcome
        if let database = context.database {
            let (owner, backoff) = (context.owner, context.backoff)
            var recorded = false
            if let runID {
                do {
                    try await database.run { c in
                        try RunBookkeeping.finish(c, runID: runID, job: job, owner: owner, outcome: outcome, counters: counters, backoff: backoff)
                    }
                    recorded = true
                } catch {
                    final = .failed(error: "could not record the run: \(error)")
                }
            }
            // A run never strands: whichever bookkeeping step failed, the job ends failed and released, and its
            // history row does not stay `running`.
            if !recorded {
                let ending = final
                _ = try? await database.run { c in
                    RunBookkeeping.endFailed(c, runID: runID, job: job, owner: owner, outcome: ending, counters: counters, backoff: backoff)
                }
            }
        }
        let report = RunReport(
            jobID: job.id, workspaceID: job.workspaceID, repository: job.fullName, status: final.status,
            issuesFound: counters.fetched, issuesSynced: counters.stored, apiCalls: counters.apiCalls,
            notModified: counters.notModified, pages: counters.pages, error: final.error
        )
        return (report, final)
    }
}
