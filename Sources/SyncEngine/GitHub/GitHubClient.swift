import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One answered request, after retries: what a caller needs to decide.
struct GitHubExchange: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data
    /// Where the request ended after redirects (a 301 for a moved repository is followed by the HTTP stack).
    let landedURL: URL
    let rateLimit: RateLimitSnapshot?
}

/// GitHub's REST API for syncing issues: headers, conditional requests, rate-limit headers, error classification
/// and retries. Every response's rate limit goes to `onRateLimit` (the engine records it in the database under the
/// token's fingerprint). Each call names the token it is sent with (nil: unauthenticated) and counts its requests in
/// a tally, so a run that ends in an error still knows what it spent.
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

    /// GET with GitHub's headers, retrying 5xx/timeouts with backoff and secondary limits with growing waits;
    /// classifies the rest.
    func get(_ url: URL, etag: String? = nil, token: GitHubToken?, tally: RequestTally) async throws -> GitHubExchange {
        var request = URLRequest(url: url)
        request.timeoutInterval = configuration.requestTimeout
        request.setValue("application/vnd.github+json", forHTTPHeaderField: "Accept")
        request.setValue("2022-11-28", forHTTPHeaderField: "X-GitHub-Api-Version")
        request.setValue(configuration.userAgent, forHTTPHeaderField: "User-Agent")
        if let token { request.setValue("Bearer \(token.secret)", forHTTPHeaderField: "Authorization") }
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        let fingerprint = token?.fingerprint ?? GitHubToken.anonymousFingerprint

        var serverFailures = 0, secondaryHits = 0
        while true {
            tally.add()
            let data: Data, response: HTTPURLResponse
            do {
                let (body, answer) = try await fetch(request)
                guard let http = answer as? HTTPURLResponse else { throw URLError(.badServerResponse) }
                (data, response) = (body, http)
            } catch let error as URLError {
                // Cancelled by the caller (a worker shutting down), not a network failure: no retry.
                if Task.isCancelled { throw CancellationError() }
                serverFailures += 1
                guard serverFailures <= retry.maxServerRetries else {
                    throw error.code == .timedOut ? GitHubError.timedOut : GitHubError.transport(error.plainDescription)
                }
                try await retry.sleep(retry.serverWait(attempt: serverFailures))
                continue
            }
            let headers = response.lowercasedHeaders
            let rateLimit = RateLimitSnapshot(headers: headers, token: fingerprint)
            if let rateLimit { await onRateLimit(rateLimit) }
            let exchange = GitHubExchange(
                status: response.statusCode, headers: headers, body: data, landedURL: response.url ?? url, rateLimit: rateLimit
            )
            switch response.statusCode {
            case 200..<300, 304:
                return exchange
            case 401:
                throw GitHubError.badCredentials(message: exchange.message ?? "Bad credentials")
            case 403, 429:
                if exchange.isPrimaryRateLimit {
                    // Without x-ratelimit-reset (GitHub has answered so), ask GET /rate_limit, which is free; failing
                    // that, wait a whole window rather than come back too soon.
                    let resetAt = if let known = rateLimit?.resetAt { known } else {
                        (try? await self.rateLimit(token: token, tally: tally))?.resetAt ?? Date().addingTimeInterval(3600)
                    }
                    throw GitHubError.primaryRateLimit(resetAt: resetAt)
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

    /// One exchange, bounded twice: `requestTimeout` is the longest silence (the HTTP stack's idle timeout: a socket
    /// that accepts and never answers, or stalls mid-body), and `requestDeadline` the longest whole exchange, which
    /// the stack does not bound on Linux (a server trickling a byte a second would hold the slot forever). Either
    /// ends as a timeout, which the caller retries like a 5xx. Cancelling the task cancels the request.
    private func fetch(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let box = DataTaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if box.expired { return continuation.resume(throwing: URLError(.timedOut)) }
                    if let error { return continuation.resume(throwing: error) }
                    guard let response else { return continuation.resume(throwing: URLError(.badServerResponse)) }
                    continuation.resume(returning: (data ?? Data(), response))
                }
                box.start(task, deadline: configuration.requestDeadline)
            }
        } onCancel: {
            box.cancel()
        }
    }

    /// `GET /rate_limit` (free against the primary limit), reading `resources.core`; recorded like any other answer.
    public func rateLimit(token: GitHubToken?) async throws -> RateLimitSnapshot {
        try await rateLimit(token: token, tally: RequestTally())
    }

    func rateLimit(token: GitHubToken?, tally: RequestTally) async throws -> RateLimitSnapshot {
        let exchange = try await get(configuration.url("/rate_limit"), token: token, tally: tally)
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
            resetAt: Date(timeIntervalSince1970: TimeInterval(core.reset)), resource: "core",
            token: token?.fingerprint ?? GitHubToken.anonymousFingerprint
        )
        await onRateLimit(snapshot)
        return snapshot
    }
}

/// One data task with its whole-exchange deadline: whoever comes first (the answer, the deadline, a cancellation)
/// ends it; the completion handler then learns whether the deadline did. The deadline's timer is cancelled with the
/// answer, so finished requests leave nothing scheduled behind.
private final class DataTaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var timer: (any DispatchSourceTimer)?
    private var cancelled = false
    private var deadlinePassed = false

    /// Whether the deadline ended the task; called from its completion handler, which also stops the timer.
    var expired: Bool {
        lock.withLock {
            timer?.cancel()
            timer = nil
            return deadlinePassed
        }
    }

    func start(_ task: URLSessionDataTask, deadline: TimeInterval) {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + deadline)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let running = lock.withLock { () -> URLSessionDataTask? in
                guard let task = self.task, task.state == .running else { return nil }
                deadlinePassed = true
                return task
            }
            running?.cancel()
        }
        let cancelledAlready = lock.withLock { () -> Bool in
            self.task = task
            self.timer = timer
            return cancelled
        }
        timer.resume()
        task.resume()
        if cancelledAlready { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionDataTask? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}

extension GitHubExchange {
    var message: String? {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String
    }

    var retryAfter: TimeInterval? { headers["retry-after"].flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) } }

    /// A spent primary budget: `x-ratelimit-remaining: 0` (with or without a reset time), or GitHub's message for it
    /// when the headers are missing.
    var isPrimaryRateLimit: Bool {
        if let remaining = headers["x-ratelimit-remaining"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            return remaining == 0
        }
        return message?.lowercased().hasPrefix("api rate limit exceeded") == true
    }

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
