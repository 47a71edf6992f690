import Foundation
import GitHubSimulator
@testable import SyncEngine

/// Records the waits the client asks for instead of sleeping, so retry tests run in milliseconds.
actor SleepRecorder {
    private(set) var waits: [Duration] = []
    private(set) var snapshots: [RateLimitSnapshot] = []
    func record(_ wait: Duration) { waits.append(wait) }
    func observe(_ snapshot: RateLimitSnapshot) { snapshots.append(snapshot) }
}

func makeClient(
    _ simulator: GitHubSimulator, token: String? = "test-token", recorder: SleepRecorder, timeout: TimeInterval = 90
) -> GitHubClient {
    GitHubClient(
        configuration: GitHubConfiguration(baseURL: simulator.baseURL, token: token, requestTimeout: timeout),
        retry: RetryPolicy(sleep: { await recorder.record($0) }),
        onRateLimit: { await recorder.observe($0) }
    )
}

extension GitHubClient {
    /// The token tests send with: the configured one (or none).
    var testToken: GitHubToken? { configuration.tokens.first }

    /// Follows `next` to the end, for tests of the client alone.
    func allIssues(fullName: String, since: Date? = nil) async throws -> (issues: [GitHubIssue], pages: [IssuesPage]) {
        var url: URL? = issuesURL(fullName: fullName, since: since)
        var pages: [IssuesPage] = []
        while let current = url {
            guard case .page(let page) = try await issuesPage(current, token: testToken) else { break }
            pages.append(page)
            url = page.next
        }
        return (pages.flatMap(\.issues), pages)
    }
}
