import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

@Suite struct SyncErrorTests {
    private func syncWith(
        _ scenario: GitHubSimulator.Scenario, times: Int? = nil, requestTimeout: TimeInterval = 90,
        _ check: (SyncFixture, UUID, RunReport) async throws -> Void
    ) async throws {
        let fixture = try await SyncFixture.make(.init(token: "test-token", hangDuration: .seconds(60)), requestTimeout: requestTimeout)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/trouble", issueCount: 30)
        try await fixture.simulator.setScenario(scenario, for: "acme/trouble", times: times)
        try await check(fixture, job, try await fixture.sync(job: job))
    }

    @Test func notFoundAndIssuesDisabledFailWithPlainMessagesAndBackOff() async throws {
        for (scenario, message) in [(GitHubSimulator.Scenario.notFound, "repository not found or not visible to this token"),
                                    (.issuesDisabled, "issues are disabled")] {
            try await syncWith(scenario) { fixture, job, report async throws in
                #expect(report.status == "failed")
                let state = try fixture.job(job)
                #expect(state.status == "failed" && state.error == message && state.attempts == 1)
                #expect(state.leaseOwner == nil)
                let delay = state.nextSyncAt!.timeIntervalSinceNow
                #expect(delay > 0.75 * 300 - 5 && delay < 1.25 * 300 + 5, "first retry after 5 min ± 25 %")

                _ = try await fixture.sync(job: job)
                let again = try fixture.job(job)
                #expect(again.attempts == 2)
                #expect(again.nextSyncAt!.timeIntervalSinceNow > 0.75 * 600 - 5)

                try await fixture.simulator.setScenario(nil, for: "acme/trouble")
                _ = try await fixture.sync(job: job)
                #expect(try fixture.job(job).attempts == 0, "success resets attempts")
                #expect(try fixture.job(job).status == "success")
            }
        }
    }

    @Test func serverErrorsAreRetriedInsideTheRunThenFail() async throws {
        try await syncWith(.serverError(delay: .zero), times: 2) { fixture, job, report async throws in
            #expect(report.status == "success")
            #expect(try fixture.storedIssues("acme/trouble").count > 0)
        }
        try await syncWith(.serverError(delay: .zero)) { fixture, job, report async throws in
            #expect(report.status == "failed")
            #expect(try fixture.job(job).error == "GitHub server error 502 after retries")
        }
    }

    @Test func malformedJSONFailsAndWritesNothingOfThatPage() async throws {
        try await syncWith(.malformedJSON, times: 1) { fixture, job, report async throws in
            #expect(report.status == "failed")
            #expect(try fixture.job(job).error?.hasPrefix("GitHub sent malformed JSON") == true)
            #expect(try fixture.storedIssues("acme/trouble").isEmpty)
        }
    }

    @Test func secondaryLimitIsWaitedOutAndHungSocketRetried() async throws {
        try await syncWith(.secondaryRateLimit(retryAfter: 3, status: 403), times: 1) { fixture, job, report async throws in
            #expect(report.status == "success")
        }
        try await syncWith(.hungSocket, times: 1, requestTimeout: 5) { fixture, job, report async throws in
            #expect(report.status == "success")
            #expect(try fixture.storedIssues("acme/trouble").count > 0)
        }
    }

    @Test func validationFailureIsAFailedRun() async throws {
        try await syncWith(.validationFailed) { fixture, job, report async throws in
            #expect(report.status == "failed")
            #expect(try fixture.job(job).error == "GitHub refused the request (422): Validation Failed")
        }
    }

    @Test func badCredentialsFailTheManualSyncAndLeaveTheJobUntouched() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/trouble", issueCount: 30)
        try await fixture.simulator.setScenario(.badCredentials, for: "acme/trouble")
        let error = await #expect(throws: WSyncError.self) { try await fixture.sync(job: job) }
        #expect(error?.kind == .gitHubAuthentication && error?.cause.contains("GITHUB_TOKEN") == true)
        let state = try fixture.job(job)
        #expect(state.status == nil && state.attempts == 0 && state.leaseOwner == nil)
        let audited = try AuditLog.entries(fixture.connection, action: .sync)
        #expect(audited.count == 1, "what the sync did is still recorded")
    }

    @Test(arguments: DatabaseShape.allCases) func movedRepositoryIsFollowedAndRenamed(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/before", issueCount: 30)
        try await fixture.simulator.renameRepository("acme/before", to: "newco/after")
        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")
        #expect(try fixture.storedIssues("newco/after").count > 0)
        let row = try fixture.connection.query("SELECT owner, name FROM repositories WHERE full_name = 'newco/after'").first
        #expect(try row?.decode("owner", as: String.self) == "newco")
        #expect(try row?.decode("name", as: String.self) == "after")
        await fixture.simulator.clearRequests()
        _ = try await fixture.sync(job: job)
        #expect(await fixture.simulator.requests().allSatisfy { $0.status != 301 }, "the next run asks for the new name")
    }
}
