import Foundation

/// Every way a GitHub request can end badly, classified as the reference prescribes. Descriptions are one plain line.
public enum GitHubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: never retried with that token; it is set aside, and when no token is left the operator must fix them.
    case badCredentials(message: String)
    /// 404: missing, or private and invisible to the token.
    case notFound
    /// 410: issues are disabled for the repository.
    case issuesDisabled
    /// 403/429 with `x-ratelimit-remaining: 0`: nothing more until `resetAt`.
    case primaryRateLimit(resetAt: Date)
    /// 403/429 secondary limit that outlasted the retries (or asked for a longer wait than a run should block).
    case secondaryRateLimit(retryAfter: TimeInterval)
    /// 5xx after the retries.
    case serverError(status: Int)
    /// No answer within the timeout, after the retries.
    case timedOut
    /// Could not talk to the server at all (refused, DNS, TLS), after the retries.
    case transport(String)
    /// A 2xx whose body is not the JSON we expect; nothing of it is used.
    case malformedResponse(String)
    /// Any other refusal (422 validation, 403 without rate-limit meaning, …).
    case rejected(status: Int, message: String)

    public var description: String {
        switch self {
        case .badCredentials(let message):
            "GitHub rejected the token (\(message)); set a valid GITHUB_TOKEN (or GITHUB_TOKENS)"
        case .notFound:
            "repository not found or not visible to this token"
        case .issuesDisabled:
            "issues are disabled"
        case .primaryRateLimit(let resetAt):
            "GitHub rate limit exhausted until \(resetAt.formatted(.iso8601))"
        case .secondaryRateLimit(let retryAfter):
            "GitHub secondary rate limit; retry after \(Int(retryAfter)) s"
        case .serverError(let status):
            "GitHub server error \(status) after retries"
        case .timedOut:
            "GitHub did not answer in time after retries"
        case .transport(let detail):
            "cannot reach GitHub: \(detail)"
        case .malformedResponse(let detail):
            "GitHub sent malformed JSON: \(detail)"
        case .rejected(let status, let message):
            "GitHub refused the request (\(status)): \(message)"
        }
    }
}

extension WSyncError {
    /// GitHub's refusal as a problem the user can fix.
    public init(_ error: GitHubError) {
        switch error {
        case .badCredentials: self = .gitHubAuthentication(error.description)
        case .primaryRateLimit, .secondaryRateLimit: self = .gitHubRateLimit(error.description)
        default: self = .gitHubUnavailable(error.description)
        }
    }
}
