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

    /// Parses the headers of any response; nil when GitHub sent none (e.g. a proxy error page) or sent values no
    /// budget has (negative, beyond a 32-bit count, a reset outside years 1970–9999): those are not a reading.
    init?(headers: [String: String], token: String, observedAt: Date = Date()) {
        func value(_ name: String, in range: ClosedRange<Int> = 0...Int(Int32.max)) -> Int? {
            guard let number = headers[name].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), range.contains(number) else {
                return nil
            }
            return number
        }
        guard let limit = value("x-ratelimit-limit"), let remaining = value("x-ratelimit-remaining"),
              let reset = value("x-ratelimit-reset", in: 0...253_402_300_799) else { return nil }
        let resource = headers["x-ratelimit-resource"].map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 } ?? "core"
        self.init(
            limit: limit, remaining: remaining, used: value("x-ratelimit-used") ?? max(0, limit - remaining),
            resetAt: Date(timeIntervalSince1970: TimeInterval(reset)),
            resource: resource.storable, observedAt: observedAt, token: token
        )
    }
}
