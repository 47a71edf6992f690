import Foundation
import GitHubSimulator
import Testing
@testable import SyncEngine

@Suite struct GitHubClientTests {
    @Test func sendsGitHubHeadersAndFollowsLinksToTheEndDroppingPullRequests() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "test-token"))
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("acme/big", issueCount: 350, pullRequestEvery: 5)
        let recorder = SleepRecorder()
        let client = makeClient(simulator, recorder: recorder)

        let (issues, pages) = try await client.allIssues(fullName: "acme/big")
        #expect(pages.count == 4)
        #expect(issues.map(\.number).sorted() == repository.issues.map(\.number).sorted())
        #expect(pages.map(\.pullRequestsDropped).reduce(0, +) == 70)

        let log = await simulator.requests()
        #expect(log.count == 4)
        #expect(log.allSatisfy { $0.authorization == "Bearer test-token" && $0.apiVersion == "2022-11-28" })
        #expect(log.allSatisfy { $0.accept == "application/vnd.github+json" && $0.userAgent == "wsync/\(WSyncVersion.current)" })
        #expect(log[0].query == ["state": "all", "sort": "updated", "direction": "asc", "per_page": "100"])
        #expect(log.dropFirst().allSatisfy { $0.path == "/repositories/\(repository.id)/issues" })
        #expect(await recorder.snapshots.count == 4)
        #expect(await recorder.snapshots.last?.remaining == 4996)
    }

    @Test func etagGives304ThatCostsNothing() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/etag", issueCount: 10)
        let client = makeClient(simulator, recorder: SleepRecorder())
        let url = client.issuesURL(fullName: "acme/etag", since: nil)
        guard case .page(let page) = try await client.issuesPage(url, token: client.testToken) else { Issue.record("expected a page"); return }
        let before = await simulator.rateLimit().remaining
        guard case .notModified(let rateLimit) = try await client.issuesPage(url, etag: page.etag, token: client.testToken) else {
            Issue.record("expected 304"); return
        }
        #expect(rateLimit?.remaining == before)
        #expect(await simulator.rateLimit().remaining == before)
    }

    @Test func nulCharactersAreMadeStorable() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/nul", issueCount: 30, pullRequestEvery: 0)
        let (issues, _) = try await makeClient(simulator, recorder: SleepRecorder()).allIssues(fullName: "acme/nul")
        let body = try #require(issues.first { $0.number == 25 }?.body)
        #expect(body == "Log excerpt with a NUL byte: before\u{FFFD}after")
        #expect(!issues.contains { $0.title.contains("\u{0000}") || ($0.body ?? "").contains("\u{0000}") })
    }

    @Test func movedRepositoryIsFollowedWithCredentialsAndItsNewNameLearned() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "test-token"))
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("acme/old", issueCount: 12, pullRequestEvery: 0)
        try await simulator.renameRepository("acme/old", to: "newco/new")
        let client = makeClient(simulator, recorder: SleepRecorder())
        let tally = RequestTally()
        guard case .page(let page) = try await client.issuesPage(
            client.issuesURL(fullName: "acme/old", since: nil), token: client.testToken, tally: tally
        ) else {
            Issue.record("expected a page"); return
        }
        #expect(page.issues.count == 12)
        #expect(page.movedToRepositoryID == repository.id)
        #expect(tally.requests == 2, "the 301 costs a request")
        #expect(try await client.repository(id: repository.id, token: client.testToken, tally: tally).fullName == "newco/new")
        #expect(await simulator.requests().map(\.status) == [301, 200, 200])
    }

    @Test func rateLimitEndpoint() async throws {
        let simulator = try await GitHubSimulator.start(.init(rateLimit: .init(limit: 1234)))
        defer { Task { await simulator.stop() } }
        let recorder = SleepRecorder()
        let snapshot = try await makeClient(simulator, recorder: recorder).rateLimit(token: GitHubToken(secret: "test-token"))
        #expect(snapshot.limit == 1234 && snapshot.remaining == 1234)
        #expect(snapshot.token == GitHubToken(secret: "test-token").fingerprint, "the reading names its token")
        #expect(await recorder.snapshots.last == snapshot)
    }
}
