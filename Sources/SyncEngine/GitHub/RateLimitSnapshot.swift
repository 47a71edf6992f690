import Foundation

/// GitHub's primary rate-limit state as reported by `x-ratelimit-*` headers or `GET /rate_limit`.
public struct RateLimitSnapshot: Sendable, Equatable, Codable {
    public var limit: Int
    public var remaining: Int
    public var used: Int
    public var resetAt: Date
    public var resource: String
    public var observedAt: Date
    /// The fingerprint of the token this budget belongs to ("" for unauthenticated requests).
    public var token: String

    public init(
        limit: Int, remaining: Int, used: Int, resetAt: Date, resource: String, observedAt: Date = Date(),
        token: String = GitHubToken.anonymousFingerprint
    ) {
        self.limit = limit
        self.remaining = remaining
        self.used = used
        self.resetAt = resetAt
        self.resource = resource
        self.observedAt = observedAt
        self.token = token
    }

    /// Parses the headers of any response; nil when GitHub sent none (e.g. a proxy error page).
    init?(headers: [String: String], token: String, observedAt: Date = Date()) {
        func value(_ name: String) -> Int? { headers[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
        guard let limit = value("x-ratelimit-limit"), let remaining = value("x-ratelimit-remaining"),
              let reset = value("x-ratelimit-reset") else { return nil }
        self.init(
            limit: limit, remaining: remaining, used: value("x-ratelimit-used") ?? max(0, limit - remaining),
            resetAt: Date(timeIntervalSince1970: TimeInterval(reset)),
            resource: headers["x-ratelimit-resource"] ?? "core", observedAt: observedAt, token: token
        )
    }
}
