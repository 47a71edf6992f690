import Foundation
import Postgres

/// The listing a job's next run repeats: the `since` it sends and the ETag of that exact request (nil: none yet),
/// made with the token of fingerprint `etagToken` (GitHub's ETags vary by token).
struct ListingMark: Sendable, Equatable {
    var since: Date
    var etag: String?
    var etagToken: String?
}

/// How a run ended, which decides the job row's status, attempts and next run.
enum RunOutcome: Sendable {
    /// Everything up to date. `listing`: the listing the next run repeats (nil: keep the stored one, e.g. after a
    /// 304 or a `--hours-back` look).
    case success(listing: ListingMark?)
    /// Stopped early with consistent state; the next run resumes at `resumeAt`. Not the job's fault: no attempt.
    case partial(reason: String, resumeAt: Date)
    /// A secondary rate limit outlasted the run's growing waits: an attempt, and the next run waits longer each time
    /// (at least `retryAfter`), because GitHub warns that pressing on can get an integration banned.
    case throttled(reason: String, retryAfter: TimeInterval)
    /// The run failed; the job is retried later with backoff.
    case failed(error: String)
    /// GitHub did not answer usefully (5xx, timeouts, network failures, after the request's own retries): a failure
    /// of GitHub's rather than the repository's, so its backoff stops at `FailureBackoff.unavailableCap` — however
    /// long an outage lasts, a healthy repository is tried again soon after it ends.
    case unavailable(error: String)
    /// GitHub says the repository is gone (404/410): a failure that also counts towards deactivation.
    case gone(error: String)
    /// GitHub refused every token of the pool (its message): the job is released untouched and the worker stops.
    case badCredentials(message: String)
    /// Another holder took the lease: nothing more may be written for the job. The run is `aborted`, like the run
    /// of a worker that died: cut off, not failed.
    case leaseLost

    var status: String {
        switch self {
        case .success: "success"
        case .partial, .throttled, .badCredentials: "partial"
        case .failed, .unavailable, .gone: "failed"
        case .leaseLost: "aborted"
        }
    }

    var error: String? {
        switch self {
        case .success: nil
        case .partial(let reason, _), .throttled(let reason, _): reason
        case .failed(let error), .unavailable(let error), .gone(let error): error
        case .badCredentials(let message): GitHubError.badCredentials(message: message).description
        case .leaseLost: LeaseLost().description
        }
    }
}

/// Counters of one run, for the history row and the manual-sync result.
struct RunCounters: Sendable {
    var apiCalls = 0
    var notModified = 0
    var pages = 0
    /// Issues received (pull requests excluded).
    var fetched = 0
    var stored = 0
    /// Authors and issues the database's constraints refused (the issues were stored without those authors).
    var skippedAuthors = 0
    var skippedIssues = 0
    /// U+0000 characters in what GitHub sent, stored as U+FFFD.
    var nulCharactersReplaced = 0
}

/// Failure backoff: `base · 2^attempts`, capped, with ±25 % jitter so failed jobs do not retry in lockstep. The cap
/// is `cap` for failures of the repository's own (a refusal, malformed data) and `unavailableCap` when GitHub did
/// not answer (5xx, timeouts, network): a whole hour of 5xx leaves a healthy repository failed for at most
/// `unavailableCap` · 1.25 after GitHub is back (docs/reliability.md works the numbers).
public struct FailureBackoff: Sendable {
    public var base: Duration
    public var cap: Duration
    public var unavailableCap: Duration

    public init(base: Duration = .seconds(300), cap: Duration = .seconds(6 * 3600), unavailableCap: Duration = .seconds(1800)) {
        self.base = base
        self.cap = cap
        self.unavailableCap = min(unavailableCap, cap)
    }

    /// The wait before the next try of a job row (in an UPDATE of workspace_tracked_repositories, before its
    /// `sync_attempts` moves).
    var delay: SQL { delay(capped: cap) }

    /// The same when GitHub was unavailable.
    var unavailableDelay: SQL { delay(capped: unavailableCap) }

    private func delay(capped limit: Duration) -> SQL {
        """
        make_interval(secs => least(\(limit.seconds), \(base.seconds) * power(2, least(coalesce(sync_attempts, 0), 30)))
                             * (0.75 + random() * 0.5))
        """
    }
}
