import Foundation

extension GitHubSimulator {
    public struct Configuration: Sendable {
        /// Seed of all generated data: the same seed and calls give the same repositories and issues.
        public var seed: UInt64
        /// Port on 127.0.0.1; 0 picks a free one.
        public var port: UInt16
        /// When set, requests must carry `Authorization: Bearer <token>` (or `token <token>`) of this token or one
        /// of `tokens`, else 401. Each accepted token has a budget of its own, as on GitHub.
        public var token: String?
        public var tokens: [String]
        public var rateLimit: RateLimit
        /// How long a "hung socket" holds the request before answering (longer than any client timeout).
        public var hangDuration: Duration
        /// The instant generated data is relative to ("now" when the data was made).
        public var anchor: Date
        /// Added to every answer, so a demo looks like a real network.
        public var latency: Duration
        /// GitHub documents `since` as "updated after"; when true, only items updated strictly after it are listed.
        public var sinceIsExclusive: Bool
        /// Plain issues carry `"pull_request": {"html_url": null, …}`, as GitHub's answers of 2012 did.
        public var legacyPullRequestStubs: Bool

        public init(
            seed: UInt64 = 42, port: UInt16 = 0, token: String? = nil, tokens: [String] = [], rateLimit: RateLimit = RateLimit(),
            hangDuration: Duration = .seconds(120), anchor: Date = Date(), latency: Duration = .zero,
            sinceIsExclusive: Bool = false, legacyPullRequestStubs: Bool = false
        ) {
            self.latency = latency
            self.sinceIsExclusive = sinceIsExclusive
            self.legacyPullRequestStubs = legacyPullRequestStubs
            self.seed = seed
            self.port = port
            self.token = token
            self.tokens = tokens
            self.rateLimit = rateLimit
            self.hangDuration = hangDuration
            self.anchor = Date(timeIntervalSince1970: anchor.timeIntervalSince1970.rounded(.down))
        }

        /// Every token the simulator accepts; empty: it accepts any request, all charged to one budget.
        public var acceptedTokens: [String] { (token.map { [$0] } ?? []) + tokens }
    }

    /// The primary rate limit: `limit` requests per `window`, answered with `exhaustedStatus` (403 or 429) once spent.
    public struct RateLimit: Sendable {
        public var limit: Int
        public var window: TimeInterval
        public var exhaustedStatus: Int

        public init(limit: Int = 5000, window: TimeInterval = 3600, exhaustedStatus: Int = 403) {
            self.limit = limit
            self.window = window
            self.exhaustedStatus = exhaustedStatus
        }
    }

    /// A misbehaviour switched on for one repository (the reference's scenario list). Renames are data, not a
    /// scenario: see `renameRepository(_:to:)`. Primary-limit exhaustion is global: see `setRateLimitRemaining(_:)`.
    public enum Scenario: Sendable, Equatable {
        /// 404 "Not Found" (missing, or private and invisible to the token).
        case notFound
        /// 410 "Issues are disabled for this repo".
        case issuesDisabled
        /// 401 "Bad credentials".
        case badCredentials
        /// 502 "Server Error" after `delay`.
        case serverError(delay: Duration)
        /// 403 or 429 secondary limit, with `retry-after` seconds when given.
        case secondaryRateLimit(retryAfter: Int?, status: Int)
        /// The normal answer, after `delay`.
        case slow(delay: Duration)
        /// Holds the request open for the configured hang duration (a client timeout must fire).
        case hungSocket
        /// A 200 whose JSON body is cut off.
        case malformedJSON
        /// 422 "Validation Failed", as for an invalid parameter.
        case validationFailed
        /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and no `x-ratelimit-reset`, as GitHub once
        /// answered (the budget itself is not touched).
        case primaryLimitWithoutReset
    }
}

/// One request as the simulator saw it, for tests to assert on.
public struct SimulatorRequest: Sendable {
    public let method: String
    public let path: String
    public let query: [String: String]
    public let ifNoneMatch: String?
    public let authorization: String?
    public let userAgent: String?
    public let accept: String?
    public let apiVersion: String?
    public let status: Int
    /// Whether the request was charged to the primary rate limit (304s and /rate_limit are free).
    public let charged: Bool
    public let repositoryID: Int64?
}
