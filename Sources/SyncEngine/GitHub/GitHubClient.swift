import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One answered request, after retries: what a caller needs to decide and to count.
struct GitHubExchange: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data
    /// Where the request ended after redirects (a 301 for a moved repository is followed by the HTTP stack).
    let landedURL: URL
    let rateLimit: RateLimitSnapshot?
    /// HTTP requests this exchange took, retries included.
    let requests: Int
}

/// GitHub's REST API for syncing issues: headers, conditional requests, rate-limit headers, error classification
/// and retries. Every response's rate limit goes to `onRateLimit` (the engine records it in the database).
public final class GitHubClient: Sendable {
    public let configuration: GitHubConfiguration
    public let retry: RetryPolicy
    private let session: URLSession
    private let onRateLimit: @Sendable (RateLimitSnapshot) async -> Void

    public init(
        configuration: GitHubConfiguration, retry: RetryPolicy = RetryPolicy(),
        onRateLimit: @escaping @Sendable (RateLimitSnapshot) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.retry = retry
        self.onRateLimit = onRateLimit
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        // No HTTP cache: a 304 must reach us, not be turned into a cached 200.
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
        session = URLSession(configuration: sessionConfiguration)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// GET with GitHub's headers, retrying 5xx/timeouts with backoff and secondary limits as told; classifies the rest.
    func get(_ url: URL, etag: String? = nil) async throws -> GitHubExchange {
        var request = URLRequest(url: url)
        request.timeoutInterval = configuration.requestTimeout
        request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
        request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
        request.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        if let token = configuration.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }

        var requests = 0, serverFailures = 0, secondaryHits = 0
        while true {
            requests += 1
            let data: Data, response: HTTPURLResponse
            do {
                let (body, answer) = try await session.data(for: request)
                guard let http = answer as? HTTPURLResponse else { throw URLError(.badServerResponse) }
                (data, response) = (body, http)
            } catch let error as URLError {
                serverFailures += 1
                guard serverFailures <= retry.maxServerRetries else {
                    throw error.code == .timedOut ? GitHubError.timedOut : GitHubError.transport(error.plainDescription)
                }
                try await retry.sleep(retry.serverWait(attempt: serverFailures))
                continue
            }
            let headers = response.lowercasedHeaders
            let rateLimit = RateLimitSnapshot(headers: headers)
            if let rateLimit { await onRateLimit(rateLimit) }
            let exchange = GitHubExchange(
                status: response.statusCode, headers: headers, body: data, landedURL: response.url ?? url,
                rateLimit: rateLimit, requests: requests
            )
            switch response.statusCode {
            case 200..<300, 304:
                return exchange
            case 401:
                throw GitHubError.badCredentials(message: exchange.message ?? "Bad credentials")
            case 403, 429:
                if rateLimit?.remaining == 0 {
                    throw GitHubError.primaryRateLimit(resetAt: rateLimit?.resetAt ?? Date().addingTimeInterval(60))
                }
                guard exchange.isSecondaryRateLimit else {
                    throw GitHubError.rejected(status: response.statusCode, message: exchange.message ?? "Forbidden")
                }
                secondaryHits += 1
                let wait = retry.secondaryWait(attempt: secondaryHits, retryAfter: exchange.retryAfter)
                guard secondaryHits <= retry.maxSecondaryRetries, wait <= retry.maxInlineWait else {
                    throw GitHubError.secondaryRateLimit(retryAfter: wait.seconds)
                }
                try await retry.sleep(wait)
            case 404:
                throw GitHubError.notFound
            case 410:
                throw GitHubError.issuesDisabled
            case 500...:
                serverFailures += 1
                guard serverFailures <= retry.maxServerRetries else {
                    throw GitHubError.serverError(status: response.statusCode)
                }
                try await retry.sleep(retry.serverWait(attempt: serverFailures))
            default:
                throw GitHubError.rejected(status: response.statusCode, message: exchange.message ?? "HTTP \(response.statusCode)")
            }
        }
    }

    /// `GET /rate_limit` (free against the primary limit), reading `resources.core`; recorded like any other answer.
    public func rateLimit() async throws -> RateLimitSnapshot {
        let exchange = try await get(configuration.url("/rate_limit"))
        struct Body: Decodable {
            struct Resources: Decodable { let core: Core }
            struct Core: Decodable { let limit: Int; let used: Int?; let remaining: Int; let reset: Int }
            let resources: Resources
        }
        guard let core = try? JSONDecoder().decode(Body.self, from: exchange.body).resources.core else {
            throw GitHubError.malformedResponse("GET /rate_limit has no resources.core")
        }
        let snapshot = RateLimitSnapshot(
            limit: core.limit, remaining: core.remaining, used: core.used ?? core.limit - core.remaining,
            resetAt: Date(timeIntervalSince1970: TimeInterval(core.reset)), resource: "core"
        )
        await onRateLimit(snapshot)
        return snapshot
    }
}

extension GitHubExchange {
    var message: String? {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String
    }

    var retryAfter: TimeInterval? { headers["retry-after"].flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) } }

    /// How go-github, octokit and PyGithub recognise a secondary limit (after ruling out remaining == 0).
    var isSecondaryRateLimit: Bool {
        if retryAfter != nil { return true }
        let text = String(decoding: body, as: UTF8.self).lowercased()
        return text.contains("secondary rate") || text.contains("abuse detection") || text.contains("secondary-rate-limits")
            || status == 429
    }
}

extension HTTPURLResponse {
    var lowercasedHeaders: [String: String] {
        var result: [String: String] = [:]
        for (key, value) in allHeaderFields { result["\(key)".lowercased()] = "\(value)" }
        return result
    }
}

extension URLError {
    /// A short cause without the framework's dump (which may include the URL and its query).
    var plainDescription: String {
        switch code {
        case .cannotConnectToHost: "connection refused"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .networkConnectionLost: "connection lost"
        case .notConnectedToInternet: "no network"
        case .secureConnectionFailed, .serverCertificateUntrusted: "TLS failure"
        case .timedOut: "timed out"
        default: "network error \(code.rawValue)"
        }
    }
}

extension Duration {
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
