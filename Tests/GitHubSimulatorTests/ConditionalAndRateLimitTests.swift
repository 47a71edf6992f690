import Foundation
import GitHubSimulator
import Testing

@Suite struct ConditionalAndRateLimitTests {
    @Test func matchingETagIs304AndFreeAndAnEditChangesIt() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/etag", issueCount: 10)
        let url = issuesURL(simulator.baseURL, "acme/etag")
        let first = try await get(url)
        let etag = try #require(first.header("ETag"))
        #expect(etag.hasPrefix("W/\""))
        let remaining = first.header("x-ratelimit-remaining")

        let second = try await get(url, headers: ["User-Agent": "t", "If-None-Match": etag])
        #expect(second.status == 304)
        #expect(second.body.isEmpty)
        #expect(second.header("x-ratelimit-remaining") == remaining)
        #expect(await simulator.requests().last?.charged == false)

        try await simulator.editIssue(in: "acme/etag", number: 3) { $0.title = "Renamed" }
        let third = try await get(url, headers: ["User-Agent": "t", "If-None-Match": etag])
        #expect(third.status == 200)
        #expect(third.header("ETag") != etag)
        #expect(third.items.contains { $0["title"] as? String == "Renamed" })
    }

    @Test(arguments: [403, 429])
    func exhaustionMidPaginationThenReset(status: Int) async throws {
        let simulator = try await GitHubSimulator.start(.init(rateLimit: .init(limit: 100, exhaustedStatus: status)))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/busy", issueCount: 300)
        await simulator.setRateLimitRemaining(2)
        let page1 = try await get(issuesURL(simulator.baseURL, "acme/busy"))
        let page2 = try await get(try #require(page1.next))
        #expect(page2.header("x-ratelimit-remaining") == "0")
        let page3 = try await get(try #require(page2.next))
        #expect(page3.status == status)
        #expect((page3.json as? [String: Any])?["message"] as? String ?? "" ~= "API rate limit exceeded")
        let reset = try #require(Int(page3.header("x-ratelimit-reset") ?? ""))
        #expect(reset > Int(Date().timeIntervalSince1970))

        await simulator.resetRateLimit()
        let again = try await get(try #require(page2.next))
        #expect(again.status == 200)
        #expect(again.header("x-ratelimit-remaining") == "99")
    }

    @Test func rateLimitEndpointIsFree() async throws {
        let simulator = try await GitHubSimulator.start(.init(rateLimit: .init(limit: 60)))
        defer { Task { await simulator.stop() } }
        let answer = try await get(URL(string: "\(simulator.baseURL.absoluteString)/rate_limit")!)
        let core = ((answer.json as? [String: Any])?["resources"] as? [String: Any])?["core"] as? [String: Any]
        #expect(core?["limit"] as? Int == 60)
        #expect(core?["remaining"] as? Int == 60)
        #expect(await simulator.rateLimit().remaining == 60)
    }
}

private func ~= (text: String, prefix: String) -> Bool { text.hasPrefix(prefix) }
