import Foundation

/// How a run ended, which decides the job row's status, attempts and next run.
enum RunOutcome: Sendable {
    /// Everything up to date; `etag` is valid for the stored high-water mark (nil: keep the stored one).
    /// `markFloor`: the listing's start, stored as the mark when no issue set one (an empty first listing).
    case success(etag: String?, markFloor: Date?)
    /// Stopped early with consistent state; the next run resumes at `resumeAt`.
    case partial(reason: String, resumeAt: Date)
    /// The run failed; the job is retried later with backoff.
    case failed(error: String)
    /// The token is bad (GitHub's message): the job is released untouched and the worker stops.
    case badCredentials(message: String)
    /// Another holder took the lease: nothing more may be written for the job.
    case leaseLost

    var status: String {
        switch self {
        case .success: "success"
        case .partial, .badCredentials: "partial"
        case .failed, .leaseLost: "failed"
        }
    }

    var error: String? {
        switch self {
        case .success: nil
        case .partial(let reason, _): reason
        case .failed(let error): error
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
}

/// Failure backoff: `base · 2^attempts`, capped, with ±25 % jitter so failed jobs do not retry in lockstep.
public struct FailureBackoff: Sendable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .seconds(300), cap: Duration = .seconds(6 * 3600)) {
        self.base = base
        self.cap = cap
    }
}
