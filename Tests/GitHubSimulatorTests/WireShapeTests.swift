import Foundation
import GitHubSimulator
import Testing

/// The simulator's objects held against the `required` lists of GitHub's OpenAPI description (api.github.com,
/// 2022-11-28: components.schemas issue, simple-user, label, nullable-milestone, and the issue's pull_request), so
/// the stand-in cannot drift from what GitHub promises. Required means present; a nullable field is a real `null`.
@Suite struct WireShapeTests {
    static let issue: Set = [
        "assignee", "closed_at", "comments", "comments_url", "events_url", "html_url", "id", "node_id", "labels",
        "labels_url", "milestone", "number", "repository_url", "state", "locked", "title", "url", "user", "created_at",
        "updated_at",
    ]
    static let simpleUser: Set = [
        "avatar_url", "events_url", "followers_url", "following_url", "gists_url", "gravatar_id", "html_url", "id",
        "node_id", "login", "organizations_url", "received_events_url", "repos_url", "site_admin", "starred_url",
        "subscriptions_url", "type", "url",
    ]
    static let label: Set = ["id", "node_id", "url", "name", "description", "color", "default"]
    static let milestone: Set = [
        "closed_issues", "creator", "description", "due_on", "closed_at", "id", "node_id", "labels_url", "html_url",
        "number", "open_issues", "state", "title", "url", "created_at", "updated_at",
    ]
    static let pullRequest: Set = ["diff_url", "html_url", "patch_url", "url"]
    /// Nullable fields the sync reads; GitHub sends them as null, never leaves them out.
    static let nullableIssueFields: Set = ["body", "closed_at", "state_reason", "milestone", "assignee", "user"]

    private func missing(_ required: Set<String>, in object: [String: Any]) -> Set<String> {
        required.subtracting(object.keys)
    }

    @Test func everyObjectOfAnIssueListCarriesTheRequiredFields() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/shape", issueCount: 100, pullRequestEvery: 4)
        let items = try await get(issuesURL(simulator.baseURL, "acme/shape")).items
        #expect(items.count == 100)
        var seen = (users: 0, labels: 0, milestones: 0, pulls: 0, nulls: Set<String>())
        for item in items {
            #expect(missing(Self.issue, in: item).isEmpty, "issue \(item["number"] ?? "?") lacks \(missing(Self.issue, in: item))")
            #expect(missing(Self.nullableIssueFields, in: item).isEmpty)
            for key in Self.nullableIssueFields where item[key] is NSNull { seen.nulls.insert(key) }
            let users = ([item["user"], item["assignee"]] + ((item["assignees"] as? [Any]) ?? [])).compactMap { $0 as? [String: Any] }
            for user in users {
                #expect(missing(Self.simpleUser, in: user).isEmpty, "user lacks \(missing(Self.simpleUser, in: user))")
                seen.users += 1
            }
            for label in (item["labels"] as? [[String: Any]]) ?? [] {
                #expect(missing(Self.label, in: label).isEmpty, "label lacks \(missing(Self.label, in: label))")
                seen.labels += 1
            }
            if let milestone = item["milestone"] as? [String: Any] {
                #expect(missing(Self.milestone, in: milestone).isEmpty, "milestone lacks \(missing(Self.milestone, in: milestone))")
                #expect(milestone["closed_at"] is NSNull && milestone["creator"] is NSNull)
                seen.milestones += 1
            }
            if let pull = item["pull_request"] as? [String: Any] {
                #expect(missing(Self.pullRequest, in: pull).isEmpty)
                #expect(pull["url"] is String, "a pull request's url is never null")
                seen.pulls += 1
            }
        }
        #expect(seen.users > 0 && seen.labels > 0 && seen.milestones > 0 && seen.pulls == 25)
        #expect(seen.nulls == Self.nullableIssueFields, "every nullable field appears as a real null somewhere")
    }

    @Test func errorsHaveGitHubsBodyAndSecondaryLimitsNoBudgetHeaders() async throws {
        let simulator = try await GitHubSimulator.start(.init(tokens: ["one"]))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/errors", issueCount: 5)
        let url = issuesURL(simulator.baseURL, "acme/errors")
        let authorized = ["User-Agent": "wsync-tests", "Authorization": "Bearer one"]
        for scenario in [GitHubSimulator.Scenario.notFound, .issuesDisabled, .validationFailed] {
            try await simulator.setScenario(scenario, for: "acme/errors", times: 1)
            let body = try #require(try await get(url, headers: authorized).json as? [String: Any])
            #expect(body["message"] is String && body["documentation_url"] is String)
        }
        let refused = try await get(url, headers: ["User-Agent": "wsync-tests", "Authorization": "Bearer wrong"])
        #expect(refused.status == 401 && refused.header("x-ratelimit-remaining") == nil)
        try await simulator.setScenario(.secondaryRateLimit(retryAfter: 30, status: 403), for: "acme/errors", times: 1)
        let secondary = try await get(url, headers: authorized)
        #expect(secondary.status == 403 && secondary.header("Retry-After") == "30")
        #expect(secondary.headers.keys.allSatisfy { !$0.lowercased().hasPrefix("x-ratelimit-") })
    }

    @Test func eachTokenHasABudgetOfItsOwnAndRefusedRequestsAreCharged() async throws {
        let simulator = try await GitHubSimulator.start(.init(tokens: ["one", "two"], rateLimit: .init(limit: 10)))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/budget", issueCount: 5)
        let url = issuesURL(simulator.baseURL, "acme/budget")
        func headers(_ token: String) -> [String: String] { ["User-Agent": "wsync-tests", "Authorization": "Bearer \(token)"] }
        let first = try await get(url, headers: headers("one"))
        #expect(first.header("x-ratelimit-remaining") == "9")
        try await simulator.setScenario(.validationFailed, for: "acme/budget", times: 1)
        #expect(try await get(url, headers: headers("one")).status == 422)
        #expect(await simulator.rateLimit(token: "one").remaining == 8, "a 422 is charged")
        #expect(await simulator.rateLimit(token: "two").remaining == 10)
        await simulator.setRateLimitRemaining(0, token: "one")
        #expect(try await get(url, headers: headers("one")).status == 403)
        #expect(try await get(url, headers: headers("two")).status == 200)
        let byID = try await get(URL(string: "\(simulator.baseURL.absoluteString)/repositories/\(await simulator.repository("acme/budget")!.id)")!,
                                 headers: headers("two"))
        #expect((byID.json as? [String: Any])?["full_name"] as? String == "acme/budget")
    }
}
