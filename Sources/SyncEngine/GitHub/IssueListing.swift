import Foundation

/// One page of a repository's issue list, pull requests already dropped.
public struct IssuesPage: Sendable {
    public var issues: [GitHubIssue]
    public var pullRequestsDropped: Int
    /// `Link: rel="next"`, verbatim; nil on the last page.
    public var next: URL?
    public var etag: String?
    /// Set when a request for `/repos/{owner}/{name}/…` landed on `/repositories/{id}/…`: the repository moved.
    public var movedToRepositoryID: Int64?
    public var rateLimit: RateLimitSnapshot?
    /// The newest `updated_at` of the page, pull requests included: a page of pull requests moves the mark too.
    public var newestUpdate: Date?

    /// Items GitHub sent, pull requests included: a page of `perPage` may have more behind it even without a `next`.
    public var receivedItems: Int { issues.count + pullRequestsDropped }
}

public enum IssuesPageResult: Sendable {
    /// 304: nothing changed since the ETag; free against the rate limit (for an authenticated request).
    case notModified(rateLimit: RateLimitSnapshot?)
    case page(IssuesPage)
}

/// A repository as `GET /repositories/{id}` describes it (used to learn the new name after a move).
public struct GitHubRepository: Sendable, Decodable, Equatable {
    public var id: Int64
    public var fullName: String

    enum CodingKeys: String, CodingKey {
        case id
        case fullName = "full_name"
    }
}

extension GitHubClient {
    /// Items per page wsync asks for (GitHub's maximum).
    public static let perPage = 100

    /// The first page of an incremental listing: every state, oldest update first, 100 per page, from `since`.
    public func issuesURL(fullName: String, since: Date?) -> URL {
        let segments = fullName.split(separator: "/", maxSplits: 1).map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? String($0)
        }
        var query = [
            URLQueryItem(name: "state", value: "all"),
            URLQueryItem(name: "sort", value: "updated"),
            URLQueryItem(name: "direction", value: "asc"),
            URLQueryItem(name: "per_page", value: String(Self.perPage)),
        ]
        if let since { query.append(URLQueryItem(name: "since", value: since.formatted(.iso8601))) }
        return configuration.url("/repos/\(segments.joined(separator: "/"))/issues", query: query)
    }

    /// Fetches one page as a sync does, outside any run.
    public func issuesPage(_ url: URL, token: GitHubToken?) async throws -> IssuesPageResult {
        try await issuesPage(url, etag: nil, token: token)
    }

    /// Fetches one page (send the stored ETag on the first page only), counting its requests in `tally`. Malformed
    /// JSON fails the whole page.
    func issuesPage(
        _ url: URL, etag: String? = nil, token: GitHubToken?, tally: RequestTally = RequestTally()
    ) async throws -> IssuesPageResult {
        let exchange = try await get(url, etag: etag, token: token, tally: tally)
        // The HTTP stack followed a 301 on its own: that was a request too.
        if exchange.landedURL.path != url.path { tally.add() }
        if exchange.status == 304 {
            return .notModified(rateLimit: exchange.rateLimit)
        }
        let items: [GitHubIssue]
        do {
            items = try JSONDecoder.gitHub.decode([GitHubIssue].self, from: UnpairedSurrogates.repaired(exchange.body))
        } catch {
            throw GitHubError.malformedResponse("the issue list of \(url.path) does not decode")
        }
        let issues = items.filter { !$0.isPullRequest }
        let next = LinkHeader.url(rel: "next", in: exchange.headers["link"])
        // The token goes with every request: a next page elsewhere than GITHUB_API_URL is not followed.
        if let next, !Self.sameOrigin(next, configuration.baseURL) {
            throw GitHubError.malformedResponse(
                "the issue list of \(url.path) links its next page to \(next.host ?? "another host"), not to GITHUB_API_URL; not followed")
        }
        return .page(IssuesPage(
            issues: issues,
            pullRequestsDropped: items.count - issues.count,
            next: next,
            etag: exchange.headers["etag"],
            movedToRepositoryID: Self.movedRepositoryID(requested: url, landed: exchange.landedURL),
            rateLimit: exchange.rateLimit,
            newestUpdate: items.map(\.updatedAt).max()
        ))
    }

    /// `GET /repositories/{id}`: the current name of a repository that moved.
    func repository(id: Int64, token: GitHubToken?, tally: RequestTally) async throws -> GitHubRepository {
        let exchange = try await get(configuration.url("/repositories/\(id)"), token: token, tally: tally)
        guard let repository = try? JSONDecoder().decode(GitHubRepository.self, from: exchange.body) else {
            throw GitHubError.malformedResponse("GET /repositories/\(id) does not decode")
        }
        return repository
    }

    /// Same scheme, host and port (the default port of the scheme when none is written).
    static func sameOrigin(_ url: URL, _ base: URL) -> Bool {
        func port(_ url: URL) -> Int? { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : url.scheme?.lowercased() == "http" ? 80 : nil) }
        return url.scheme?.lowercased() == base.scheme?.lowercased() && url.host?.lowercased() == base.host?.lowercased()
            && port(url) == port(base)
    }

    static func movedRepositoryID(requested: URL, landed: URL) -> Int64? {
        guard requested.path != landed.path, requested.path.contains("/repos/") else { return nil }
        let parts = landed.path.split(separator: "/")
        guard let index = parts.firstIndex(of: "repositories"), index + 1 < parts.count else { return nil }
        return Int64(parts[index + 1])
    }
}
