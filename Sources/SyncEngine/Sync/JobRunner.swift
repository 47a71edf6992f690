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
    /// Stop between pages once GitHub reports this many requests or fewer left (for every token of the pool).
    var rateLimitReserve: Int
    /// How far before the stored mark a listing starts: GitHub's `since` has whole seconds and is documented as
    /// "updated after", so the overlap catches items updated in the mark's second; the store skips what it has.
    var sinceOverlap: Duration = .seconds(60)
    /// When 404/410 answers deactivate the job.
    var gone: GonePolicy = GonePolicy()
    /// Authors the database refused, left out of later pages at once.
    var refusedAuthors: RefusedAuthors
    /// Lines for the operator (a token set aside).
    var log: @Sendable (String) -> Void = { _ in }
    /// Asked before every page: global pause, shutdown.
    var shouldStop: @Sendable () async -> StopCheck
    /// Whether a run whose ending met a lost database connection waits for the database to come back (a worker, until
    /// it shuts down) or gives up at once (a manual sync, whose operator is waiting).
    var keepTryingToRecord: @Sendable () -> Bool = { false }
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

/// Runs one job: an incremental listing from the stored mark, page by page, each page stored in its own
/// transaction; ends with one bookkeeping transaction. Never throws: every ending is a `RunOutcome`.
///
/// The mark and its ETag stay put while the listing fits in one page, so an unchanged repository costs one free 304
/// and a changed one a single request. A listing that outgrows a page moves the mark as its pages are stored and,
/// once complete, asks once more from the new mark for an ETag the next run can send.
struct JobRunner {
    let context: RunContext

    func run(_ job: SyncJob) async -> (report: RunReport, outcome: RunOutcome) {
        var counters = RunCounters()
        let tally = RequestTally()
        var runID: Int64?
        let outcome: RunOutcome
        do {
            if let database = context.database {
                let (worker, trigger) = (context.owner, context.trigger)
                runID = try await database.run { try RunBookkeeping.start($0, job: job, worker: worker, trigger: trigger) }
            }
            var tokens = RunTokens(
                pool: context.client.configuration.tokens, database: context.database, reserve: context.rateLimitReserve,
                log: context.log
            )
            outcome = try await fetchAndStore(job, tokens: &tokens, tally: tally, counters: &counters)
        } catch {
            counters.apiCalls = tally.requests
            let lostDatabase = (error as? PostgresError)?.isConnectionLoss == true
            let outcome = runID == nil && context.database != nil && !lostDatabase
                ? .failed(error: "could not record the run's start: \(error)") : Self.outcome(for: error)
            return await finish(job, runID: runID, outcome: outcome, counters: counters)
        }
        counters.apiCalls = tally.requests
        return await finish(job, runID: runID, outcome: outcome, counters: counters)
    }

    private static func outcome(for error: any Error) -> RunOutcome {
        switch error {
        case is LeaseLost: .leaseLost
        // Only a stopping worker cancels a run: the request in flight was abandoned, nothing of it stored.
        case is CancellationError:
            .partial(reason: "the worker is shutting down; the next run resumes", resumeAt: Date())
        // The database went away (a restart, a failover): not the repository's fault, so no attempt and no backoff.
        // What was stored is committed page by page; the next run resumes from the stored mark.
        case let error as PostgresError where error.isConnectionLoss:
            .partial(reason: "the database connection was lost (\(error)); the next run resumes", resumeAt: Date())
        case GitHubError.badCredentials(let message): .badCredentials(message: message)
        case GitHubError.primaryRateLimit(let resetAt):
            .partial(reason: "\(error)", resumeAt: resetAt)
        case GitHubError.secondaryRateLimit(let retryAfter):
            .throttled(reason: "\(error); the next try waits longer", retryAfter: retryAfter)
        case GitHubError.notFound, GitHubError.issuesDisabled: .gone(error: "\(error)")
        case GitHubError.serverError, GitHubError.timedOut, GitHubError.transport: .unavailable(error: "\(error)")
        default: .failed(error: "\(error)")
        }
    }

    /// A choice that leaves no token to go on with, as the run's ending.
    private static func ending(_ choice: TokenChoice, refusal: String) -> RunOutcome? {
        switch choice {
        case .use: nil
        case .allRefused: .badCredentials(message: refusal)
        case .exhausted(let until):
            .partial(reason: "GitHub rate limit: every token is spent or cooling down; resuming at \(until.formatted(.iso8601))",
                     resumeAt: until)
        }
    }

    private func fetchAndStore(
        _ job: SyncJob, tokens: inout RunTokens, tally: RequestTally, counters: inout RunCounters
    ) async throws -> RunOutcome {
        let now = Date()
        let retentionStart = Self.wholeSecond(now.addingTimeInterval(-Double(job.dataRetentionDays) * 86_400))
        let since = context.hoursBack.map { Self.wholeSecond(now.addingTimeInterval(-Double($0) * 3600)) } ?? job.issuesSince ?? retentionStart
        // A run that reaches back at least as far as the mark may move it; a short --hours-back look may not.
        let movesMark = since <= (job.issuesSince ?? retentionStart)
        if let ending = Self.ending(try await tokens.choose(preferred: job.issuesETagToken), refusal: TokenBudgets.poolSetAside) {
            return ending
        }
        // The stored ETag answers exactly the stored listing, asked with the token that made it.
        var etag = since == job.issuesSince && [nil, tokens.currentFingerprint].contains(job.issuesETagToken) ? job.issuesETag : nil
        var listing = Listing(since: since)
        var url: URL? = context.client.issuesURL(fullName: job.fullName, since: since)
        var refreshed = false

        while let current = url {
            if case .stop(let reason) = await context.shouldStop() {
                return .partial(reason: reason, resumeAt: Date())
            }
            if let maxPages = context.maxPages, counters.pages >= maxPages {
                return .partial(reason: "stopped after \(maxPages) pages (page budget); the next run resumes", resumeAt: Date())
            }
            let result: IssuesPageResult
            do {
                result = try await context.client.issuesPage(current, etag: listing.pages == 0 ? etag : nil, token: tokens.current, tally: tally)
            } catch GitHubError.badCredentials(let message) where tokens.current != nil {
                if let ending = Self.ending(try await tokens.refused(message: message), refusal: message) { return ending }
                etag = nil
                continue
            } catch GitHubError.primaryRateLimit(let resetAt) {
                if let ending = Self.ending(try await tokens.spent(until: resetAt), refusal: TokenBudgets.poolSetAside) { return ending }
                etag = nil
                continue
            } catch GitHubError.secondaryRateLimit(let retryAfter) {
                await tokens.coolDown(until: Date().addingTimeInterval(retryAfter))
                throw GitHubError.secondaryRateLimit(retryAfter: retryAfter)
            }
            guard case .page(let page) = result else {
                counters.notModified += 1
                return .success(listing: nil)
            }
            counters.pages += 1
            counters.fetched += page.issues.count
            counters.nulCharactersReplaced += page.issues.reduce(0) { $0 + $1.nulCharactersReplaced }
            var newName: String?
            if let movedID = page.movedToRepositoryID {
                newName = try await context.client.repository(id: movedID, token: tokens.current, tally: tally).fullName
            }
            if listing.pages == 0 {
                listing.firstPage(page, token: tokens.currentFingerprint)
            }
            listing.pages += 1
            let pageMark = page.newestUpdate
            listing.newest = [listing.newest, pageMark].compactMap { $0 }.max()
            // Only a listing that outgrows its page moves the mark (keeping the overlap); one that fits keeps its ETag.
            let highWater = movesMark && listing.outgrown ? pageMark.map { $0.addingTimeInterval(-context.sinceOverlap.seconds) } : nil
            let stored = try await store(page.issues, job: job, mark: highWater, renamedTo: newName)
            counters.stored += stored.upserted
            counters.skippedAuthors += stored.skippedAuthors
            counters.skippedIssues += stored.skippedIssues
            url = page.next
            if url != nil, let rate = page.rateLimit, rate.remaining <= context.rateLimitReserve {
                if let ending = Self.ending(try await tokens.spent(until: rate.resetAt), refusal: TokenBudgets.poolSetAside) { return ending }
            }
            // A complete listing that outgrew a page: ask once more from the new mark, so the next run has an ETag
            // (a dry run, which stores no mark, has no use for it).
            if url == nil, !refreshed, listing.outgrown, context.database != nil, movesMark, let newest = listing.newest,
               counters.pages < (context.maxPages ?? .max) {
                let newSince = max(listing.since, Self.wholeSecond(newest.addingTimeInterval(-context.sinceOverlap.seconds)))
                listing = Listing(since: newSince)
                url = context.client.issuesURL(fullName: job.fullName, since: newSince)
                refreshed = true
                etag = nil
            }
        }
        guard movesMark, context.database != nil else { return .success(listing: nil) }
        return .success(listing: ListingMark(
            since: listing.since, etag: listing.outgrown ? nil : listing.etag, etagToken: listing.outgrown ? nil : listing.etagToken
        ))
    }

    /// One listing (the pages from one `since`) as far as it has been followed.
    private struct Listing {
        let since: Date
        var pages = 0
        var etag: String?
        var etagToken: String?
        /// More than one page, or one full page (more may follow even without a `next`): its first page's ETag would
        /// not vouch for the rest.
        var outgrown = false
        var newest: Date?

        init(since: Date) { self.since = since }

        mutating func firstPage(_ page: IssuesPage, token: String) {
            etag = page.etag
            etagToken = token
            outgrown = page.next != nil || page.receivedItems >= GitHubClient.perPage
        }
    }

    /// GitHub's `since` has whole seconds; the stored mark must be exactly the one sent for its ETag to be reused.
    private static func wholeSecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    private func store(_ issues: [GitHubIssue], job: SyncJob, mark: Date?, renamedTo newName: String?) async throws -> PageStore.Stored {
        guard let database = context.database else { return PageStore.Stored(upserted: 0) }
        let (owner, lease, refused) = (context.owner, context.leases.lease, context.refusedAuthors)
        return try await database.run { connection in
            try PageStore.store(issues, job: job, owner: owner, highWater: mark, renamedTo: newName, lease: lease,
                                refused: refused, connection: connection)
        }
    }

    private func finish(_ job: SyncJob, runID: Int64?, outcome: RunOutcome, counters: RunCounters) async -> (report: RunReport, outcome: RunOutcome) {
        var final = outcome
        if let database = context.database {
            let (owner, backoff, gone) = (context.owner, context.backoff, context.gone)
            var recorded = false
            // The database may be away (restarting): the ending waits for it rather than strand the job, which this
            // holder's heartbeat would otherwise keep leased, and its run, which would stay `running`. Without a
            // history row (its start could not be recorded) the ending is the job row's alone.
            var wait = Duration.milliseconds(250)
            while true {
                do {
                    try await database.run { c in
                        if let runID {
                            try RunBookkeeping.finish(c, runID: runID, job: job, owner: owner, outcome: outcome, counters: counters,
                                                      backoff: backoff, gone: gone)
                        } else {
                            try RunBookkeeping.endJob(c, job: job, owner: owner, outcome: outcome, counters: counters, backoff: backoff)
                        }
                    }
                    recorded = true
                } catch let error as PostgresError where error.isConnectionLoss && context.keepTryingToRecord() {
                    try? await Task.sleep(for: wait)
                    wait = min(wait * 2, .seconds(5))
                    continue
                } catch {
                    final = .failed(error: "could not record the run: \(error)")
                }
                break
            }
            // A run never strands: whichever bookkeeping step failed, the job ends failed and released, and its
            // history row does not stay `running` (what even this cannot write, the holder's next heartbeat ends).
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
