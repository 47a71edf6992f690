import Foundation
import GitHubSimulator
import Testing

@Suite struct ScenarioTests {
    private func message(_ answer: Answer) -> String? { (answer.json as? [String: Any])?["message"] as? String }

    @Test func plainErrorScenarios() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/errors", issueCount: 5)
        let url = issuesURL(simulator.baseURL, "acme/errors")
        let cases: [(GitHubSimulator.Scenario, Int, String)] = [
            (.notFound, 404, "Not Found"),
            (.issuesDisabled, 410, "Issues are disabled for this repo"),
            (.badCredentials, 401, "Bad credentials"),
            (.validationFailed, 422, "Validation Failed"),
        ]
        for (scenario, status, text) in cases {
            try await simulator.setScenario(scenario, for: "acme/errors", times: 1)
            let answer = try await get(url)
            #expect(answer.status == status)
            #expect(message(answer) == text)
        }
        #expect(try await get(url).status == 200, "each scenario was used up")
        #expect(try await get(issuesURL(simulator.baseURL, "acme/none")).status == 404)
    }

    @Test func secondaryLimitWithAndWithoutRetryAfter() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/secondary", issueCount: 5)
        let url = issuesURL(simulator.baseURL, "acme/secondary")
        try await simulator.setScenario(.secondaryRateLimit(retryAfter: 7, status: 403), for: "acme/secondary", times: 1)
        let withHeader = try await get(url)
        #expect(withHeader.status == 403)
        #expect(withHeader.header("Retry-After") == "7")
        #expect(withHeader.header("x-ratelimit-remaining") != "0")
        #expect(message(withHeader)?.hasPrefix("You have exceeded a secondary rate limit") == true)
        try await simulator.setScenario(.secondaryRateLimit(retryAfter: nil, status: 429), for: "acme/secondary", times: 1)
        let without = try await get(url)
        #expect(without.status == 429)
        #expect(without.header("Retry-After") == nil)
    }

    @Test func flakyServerErrorsThenSuccess() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/flaky", issueCount: 5)
        try await simulator.setScenario(.serverError(delay: .milliseconds(50)), for: "acme/flaky", times: 2)
        let url = issuesURL(simulator.baseURL, "acme/flaky")
        #expect(try await get(url).status == 502)
        #expect(try await get(url).status == 502)
        #expect(try await get(url).status == 200)
    }

    @Test func malformedJSONDoesNotParse() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/broken", issueCount: 5)
        try await simulator.setScenario(.malformedJSON, for: "acme/broken", times: 1)
        let answer = try await get(issuesURL(simulator.baseURL, "acme/broken"))
        #expect(answer.status == 200)
        #expect(answer.json == nil)
    }

    @Test func hungSocketOutlastsAClientTimeout() async throws {
        let simulator = try await GitHubSimulator.start(.init(hangDuration: .seconds(5)))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/hung", issueCount: 5)
        try await simulator.setScenario(.hungSocket, for: "acme/hung", times: 1)
        let started = Date()
        do {
            _ = try await get(issuesURL(simulator.baseURL, "acme/hung"), timeout: 1)
            Issue.record("a hung request must time out")
        } catch {
            #expect(Date().timeIntervalSince(started) >= 0.9)
        }
        // On a loaded machine the server may read the abandoned request only after the client gave up.
        for _ in 0..<200 where await simulator.requests().isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await simulator.requests().first?.status == 504)
        #expect(try await get(issuesURL(simulator.baseURL, "acme/hung")).status == 200)
    }

    @Test func renamedRepositoryAnswers301ToItsNumericPath() async throws {
        let simulator = try await GitHubSimulator.start()
        defer { Task { await simulator.stop() } }
        let repository = await simulator.addRepository("acme/old-name", issueCount: 5)
        try await simulator.renameRepository("acme/old-name", to: "newco/new-name")
        let moved = try await get(issuesURL(simulator.baseURL, "acme/old-name", "state=all&per_page=100"))
        #expect(moved.status == 301)
        let location = try #require(moved.header("Location").flatMap(URL.init(string:)))
        #expect(location.path == "/repositories/\(repository.id)/issues")
        #expect(location.query == "state=all&per_page=100")
        #expect(try await get(location).items.count == 5)
        let info = try await get(URL(string: "\(simulator.baseURL.absoluteString)/repositories/\(repository.id)")!)
        #expect((info.json as? [String: Any])?["full_name"] as? String == "newco/new-name")
    }

    @Test func requestsNeedUserAgentAndTheConfiguredToken() async throws {
        let simulator = try await GitHubSimulator.start(.init(token: "secret"))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/auth", issueCount: 5)
        let url = issuesURL(simulator.baseURL, "acme/auth")
        // An empty value makes the HTTP stack leave the header out.
        let noAgent = try await get(url, headers: ["User-Agent": "", "Authorization": "Bearer secret"])
        #expect(noAgent.status == 403)
        #expect(noAgent.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(try await get(url, headers: ["User-Agent": "t", "Authorization": "Bearer wrong"]).status == 401)
        #expect(try await get(url, headers: ["User-Agent": "t", "Authorization": "Bearer secret"]).status == 200)
        let logged = await simulator.requests()
        #expect(logged.map(\.status) == [403, 401, 200])
        #expect(logged.last?.authorization == "Bearer secret")
        #expect(logged.last?.query["per_page"] == "100")
    }

    @Test func configuredLatencyDelaysEveryAnswer() async throws {
        let simulator = try await GitHubSimulator.start(.init(latency: .milliseconds(300)))
        defer { Task { await simulator.stop() } }
        await simulator.addRepository("acme/far", issueCount: 5)
        let started = Date()
        #expect(try await get(issuesURL(simulator.baseURL, "acme/far")).status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.3)
    }
}
