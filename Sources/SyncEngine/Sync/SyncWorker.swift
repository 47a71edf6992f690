import Foundation
import Postgres

public struct WorkerOptions: Sendable {
    public var concurrency: Int
    /// Sync everything due now, then exit.
    public var once: Bool
    public var leases: LeaseSettings
    /// How long an idle slot waits before looking for due rows again (also how fast a pause is noticed).
    public var idlePoll: Duration
    /// Stop claiming (and stop between pages) when GitHub reports this many requests or fewer left.
    public var rateLimitReserve: Int
    public var maxPages: Int?
    public var backoff: FailureBackoff
    public var gone: GonePolicy

    public init(
        concurrency: Int = 1, once: Bool = false, leases: LeaseSettings = LeaseSettings(), idlePoll: Duration = .seconds(2),
        rateLimitReserve: Int = 100, maxPages: Int? = nil, backoff: FailureBackoff = FailureBackoff(), gone: GonePolicy = GonePolicy()
    ) {
        self.gone = gone
        self.concurrency = concurrency
        self.once = once
        self.leases = leases
        self.idlePoll = idlePoll
        self.rateLimitReserve = rateLimitReserve
        self.maxPages = maxPages
        self.backoff = backoff
    }
}

public struct WorkerSummary: Sendable, Equatable {
    public var runs = 0
    public var succeeded = 0
    public var partial = 0
    public var failed = 0
}

/// The scheduler: `concurrency` slots, each claiming one due row at a time (by priority, `FOR UPDATE SKIP LOCKED`,
/// with a lease), syncing it and repeating. Any number of workers on any number of machines share one database.
public final class SyncWorker: Sendable {
    private let database: ConnectionConfiguration
    private let github: GitHubConfiguration
    private let options: WorkerOptions
    private let retry: RetryPolicy
    private let log: @Sendable (String) -> Void
    public let stop = StopFlag()

    public init(
        database: ConnectionConfiguration, github: GitHubConfiguration, options: WorkerOptions,
        retry: RetryPolicy = RetryPolicy(), log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.database = database
        self.github = github
        self.options = options
        self.retry = retry
        self.log = log
    }

    /// Runs until `stop` is set (or, with `once`, until nothing is due). Jobs in progress at a stop end between
    /// pages as `partial` and are released. Throws `GitHubError.badCredentials` when GitHub rejects the token.
    public func run() async throws -> WorkerSummary {
        let session = try await SyncSession.open(
            kind: "worker", database: database, github: github, retry: retry, leases: options.leases,
            concurrency: options.concurrency, rateLimitReserve: options.rateLimitReserve, register: true
        )
        let heartbeat = session.heartbeat(reconcile: true)
        log("worker \(session.id) started (concurrency \(options.concurrency)\(options.once ? ", once" : ""))")
        github.warnings.forEach(log)
        let results = await withTaskGroup(of: SlotResult.self) { group in
            for index in 0..<max(1, options.concurrency) {
                group.addTask { await self.slot(index, session: session) }
            }
            var all: [SlotResult] = []
            for await result in group { all.append(result) }
            return all
        }
        heartbeat.cancel()
        await session.notifier.flush()
        await session.close()
        var summary = WorkerSummary()
        for result in results {
            summary.runs += result.summary.runs
            summary.succeeded += result.summary.succeeded
            summary.partial += result.summary.partial
            summary.failed += result.summary.failed
        }
        log("worker \(session.id) stopped: \(summary.runs) runs, \(summary.succeeded) succeeded, \(summary.partial) partial, \(summary.failed) failed")
        if let credentials = results.compactMap(\.badCredentials).first {
            throw GitHubError.badCredentials(message: credentials)
        }
        return summary
    }

    private struct SlotResult: Sendable {
        var summary = WorkerSummary()
        var badCredentials: String?
    }

    private func slot(_ index: Int, session: SyncSession) async -> SlotResult {
        var result = SlotResult()
        var connection: DatabaseQueue?
        while !stop.isSet {
            do {
                let db: DatabaseQueue
                if let connection { db = connection } else {
                    db = try await session.slotConnection(index)
                    connection = db
                }
                let claimed = try await nextJob(db, session: session)
                session.progress.advanced()
                guard let job = claimed else {
                    if options.once { break }
                    await stop.sleep(for: options.idlePoll)
                    continue
                }
                session.progress.jobStarted(job.id)
                await session.reportProgress()
                // A stop cancels the run's request in flight (a hung socket would otherwise hold the shutdown for
                // minutes); the run then ends partial, as at any stop between pages.
                let runner = JobRunner(context: context(db, session: session))
                let work = Task { await runner.run(job) }
                let watcher = Task { [stop] in
                    await stop.wait()
                    work.cancel()
                }
                let (report, outcome) = await work.value
                watcher.cancel()
                session.progress.jobEnded(job.id)
                await session.reportProgress()
                await session.notifier.runFinished()
                log("\(report.repository): \(report.status), \(report.issuesSynced) stored, \(report.apiCalls) API calls"
                    + (report.error.map { " — \($0)" } ?? ""))
                result.summary.runs += 1
                switch outcome {
                case .success: result.summary.succeeded += 1
                case .partial, .throttled: result.summary.partial += 1
                case .failed, .unavailable, .gone, .leaseLost: result.summary.failed += 1
                case .badCredentials(let message):
                    result.badCredentials = message
                    stop.set()
                }
            } catch GitHubError.badCredentials(let message) {
                result.badCredentials = message
                stop.set()
            } catch {
                // The database went away or refused: drop the connection and try again after a pause.
                log("slot \(index): \(error); retrying")
                connection = nil
                await stop.sleep(for: options.idlePoll)
            }
        }
        return result
    }

    /// Claims one due row, unless paused or no token of the pool has more than the reserve left (or all cool down).
    private func nextJob(_ db: DatabaseQueue, session: SyncSession) async throws -> SyncJob? {
        let (owner, leases, reserve, pool) = (session.id, options.leases, options.rateLimitReserve, github.tokens)
        return try await db.run { c -> SyncJob? in
            if try PauseSwitch.reason(c) != nil { return nil }
            switch TokenBudgets.choose(try TokenBudgets.standings(c, pool: pool), preferred: nil, reserve: reserve) {
            case .use: break
            case .exhausted: return nil
            case .allRefused: throw GitHubError.badCredentials(message: TokenBudgets.poolSetAside)
            }
            return try JobLeases.claimDue(c, owner: owner, limit: 1, settings: leases).first
        }
    }

    private func context(_ db: DatabaseQueue, session: SyncSession) -> RunContext {
        let (stop, progress) = (stop, session.progress)
        return RunContext(
            client: session.client, database: db, owner: session.id, trigger: "schedule", leases: options.leases,
            backoff: options.backoff, maxPages: options.maxPages, hoursBack: nil,
            rateLimitReserve: options.rateLimitReserve, gone: options.gone, refusedAuthors: session.refusedAuthors, log: log,
            shouldStop: {
                // Asked before every page: the previous page is done, which is progress.
                progress.advanced()
                if stop.isSet { return .stop(reason: "the worker is shutting down; the next run resumes") }
                if let reason = try? await db.run({ try PauseSwitch.reason($0) }) { return .stop(reason: reason) }
                return .keepGoing
            },
            keepTryingToRecord: { !stop.isSet }
        )
    }
}
