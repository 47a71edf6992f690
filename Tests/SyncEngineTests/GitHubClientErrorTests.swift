import Foundation
import GitHubSimulator
import Testing
@testable import SyncEngine

@Suite struct GitHubClientErrorTests {
    private func firstPage(
        scenario: GitHubSimulator.Scenario?, times: Int? = nil, configuration: GitHubSimulator.Configuration = .init(),
        timeout: TimeInterval = 90, prepare: @Sendable (GitHubSimulator) async throws -> Void = { _ in }
    ) async throws -> (Result<IssuesPageResult, GitHubError>, [Duration], GitHubSimulator) {
        let simulator = try await GitHubSimulator.start(configuration)
        await simulator.addRepository("acme/errors", issueCount: 5)
        try await simulator.setScenario(scenario, for: "acme/errors", times: times)
        try await prepare(simulator)
        let recorder = SleepRecorder()
        let client = makeClient(simulator, recorder: recorder, timeout: timeout)
        let result: Result<IssuesPageResult, GitHubError>
        do {
            result = .success(try await client.issuesPage(client.issuesURL(fullName: "acme/errors", since: nil), token: client.testToken))
        } catch let error as GitHubError {
            result = .failure(error)
        }
        return (result, await recorder.waits, simulator)
    }

    private func failure(_ result: Result<IssuesPageResult, GitHubError>) -> GitHubError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    @Test func plainFailuresAreClassifiedAndNeverRetried() async throws {
        let expected: [(GitHubSimulator.Scenario, GitHubError)] = [
            (.notFound, .notFound),
            (.issuesDisabled, .issuesDisabled),
            (.badCredentials, .badCredentials(message: "Bad credentials")),
            (.validationFailed, .rejected(status: 422, message: "Validation Failed")),
            (.malformedJSON, .malformedResponse("the issue list of /repos/acme/errors/issues does not decode")),
        ]
        for (scenario, error) in expected {
            let (result, waits, simulator) = try await firstPage(scenario: scenario)
            #expect(failure(result) == error)
            #expect(waits.isEmpty)
            #expect(await simulator.requests().count == 1)
            await simulator.stop()
        }
        #expect(GitHubError.notFound.description == "repository not found or not visible to this token")
        #expect(GitHubError.issuesDisabled.description == "issues are disabled")
    }

    @Test(arguments: [403, 429])
    func primaryLimitStopsWithTheResetTime(status: Int) async throws {
        let (result, waits, simulator) = try await firstPage(
            scenario: nil, configuration: .init(rateLimit: .init(exhaustedStatus: status)),
            prepare: { await $0.setRateLimitRemaining(0) }
        )
        defer { Task { await simulator.stop() } }
        let resetAt = await simulator.rateLimit().resetAt
        #expect(failure(result) == .primaryRateLimit(resetAt: resetAt))
        #expect(waits.isEmpty)
    }

    @Test func secondaryLimitWaitsRetryAfterThenTheDefaultThenGivesUp() async throws {
        let (told, toldWaits, a) = try await firstPage(scenario: .secondaryRateLimit(retryAfter: 7, status: 403), times: 1)
        #expect(failure(told) == nil)
        #expect(toldWaits == [.seconds(7)])
        let (untold, untoldWaits, b) = try await firstPage(scenario: .secondaryRateLimit(retryAfter: nil, status: 403), times: 2)
        #expect(failure(untold) == nil)
        #expect(untoldWaits == [.seconds(60), .seconds(120)])
        let (endless, endlessWaits, c) = try await firstPage(scenario: .secondaryRateLimit(retryAfter: nil, status: 429))
        #expect(failure(endless) == .secondaryRateLimit(retryAfter: 480))
        #expect(endlessWaits == [.seconds(60), .seconds(120), .seconds(240)])
        for simulator in [a, b, c] { await simulator.stop() }
    }

    @Test func serverErrorsRetryWithBackoffThenFail() async throws {
        let (flaky, flakyWaits, a) = try await firstPage(scenario: .serverError(delay: .milliseconds(20)), times: 2)
        #expect(failure(flaky) == nil)
        #expect(flakyWaits == [.seconds(1), .seconds(2)])
        let (down, downWaits, b) = try await firstPage(scenario: .serverError(delay: .zero))
        #expect(failure(down) == .serverError(status: 502))
        #expect(downWaits == [.seconds(1), .seconds(2), .seconds(4)])
        #expect(await b.requests().count == 4)
        for simulator in [a, b] { await simulator.stop() }
    }

    @Test func hungSocketTimesOutAndTheRetrySucceeds() async throws {
        let (result, waits, simulator) = try await firstPage(
            scenario: .hungSocket, times: 1, configuration: .init(hangDuration: .seconds(60)), timeout: 5
        )
        defer { Task { await simulator.stop() } }
        #expect(failure(result) == nil)
        // The hung request timed out and was retried after the first backoff (a starved test process may need more).
        #expect(waits.first == .seconds(1))
        #expect(await simulator.requests().count == waits.count + 1)
    }
}
