import Foundation
import GitHubSimulator
import Testing

@Suite struct ListingTests {
    @Test func pagesFollowLinkHeadersToTheEndWithPerPageCappedAt100() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("acme/rockets", issueCount: 250)

        var url: URL? = issuesURL(simulator.baseURL, "acme/rockets", "state=all&per_page=500&sort=updated&direction=asc")
        var seen: [Int] = []
        var pages = 0
        while let current = url {
            let answer = try await get(current)
            #expect(answer.status == 200)
            #expect(answer.items.count <= 100)
            seen += answer.items.compactMap { $0["number"] as? Int }
            pages += 1
            url = answer.next
            if let url {
                #expect(url.path == "/repositories/\(repository.id)/issues")
                #expect(url.query?.contains("sort=updated") == true)
            }
        }
        #expect(pages == 3)
        #expect(seen.sorted() == Array(1...250))
    }

    @Test func pullRequestsAreMixedInAndMarked() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/mixed", issueCount: 20, pullRequestEvery: 4)
        let answer = try await get(issuesURL(simulator.baseURL, "acme/mixed"))
        let pulls = answer.items.filter { $0["pull_request"] != nil }.compactMap { $0["number"] as? Int }
        #expect(pulls.sorted() == [4, 8, 12, 16, 20])
        #expect(answer.header("Link") == nil)
        let first = try #require(answer.items.first)
        #expect(first["closed_at"] != nil, "absent values are null, not missing")
    }

    @Test func sinceIsInclusiveAndClosedItemsCarryAReason() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("acme/since", issueCount: 60)
        let pivot = repository.items.sorted { $0.updatedAt < $1.updatedAt }[30]
        let since = pivot.updatedAt.formatted(.iso8601)
        let answer = try await get(issuesURL(simulator.baseURL, "acme/since", "state=all&per_page=100&since=\(since)"))
        let numbers = Set(answer.items.compactMap { $0["number"] as? Int })
        #expect(numbers.contains(pivot.number))
        #expect(numbers == Set(repository.items.filter { $0.updatedAt >= pivot.updatedAt }.map(\.number)))
        for item in answer.items where item["state"] as? String == "closed" {
            #expect(item["state_reason"] is String)
        }
    }

    @Test func sameSeedSameData() async throws {
        let a = try await GitHubSimulator.start(.init(seed: 7))
        let b = try await GitHubSimulator.start(.init(seed: 7, anchor: a.configuration.anchor))
        defer { Task { await a.stop(); await b.stop() } }
        let left = await a.addRepository("acme/same", issueCount: 40)
        let right = await b.addRepository("acme/same", issueCount: 40)
        #expect(left.items == right.items)
        let other = try await GitHubSimulator.start(.init(seed: 8, anchor: a.configuration.anchor))
        defer { Task { await other.stop() } }
        #expect(await other.addRepository("acme/same", issueCount: 40).items != left.items)
    }

    @Test func hostileTextIsServedAsIs() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/text", issueCount: 50, pullRequestEvery: 0)
        let answer = try await get(issuesURL(simulator.baseURL, "acme/text"))
        let bodies = answer.items.compactMap { $0["body"] as? String }
        let titles = answer.items.compactMap { $0["title"] as? String }
        #expect(bodies.contains { $0.contains("\u{0000}") })
        #expect(titles.contains { $0.contains("\u{1B}[31m") })
    }
}
