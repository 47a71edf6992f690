import Foundation
import GitHubSimulator
import Postgres
import Testing
@testable import SyncEngine

/// Talking to GitHub as GitHub documents it: one test per point of issue 11, each against the simulator.
@Suite struct GitHubContractTests {
    /// 1. A secondary limit that never lifts: waits grow inside the run, the run counts as an attempt, the next run
    /// is pushed out further each time, and the token cools down so no worker presses on.
    @Test func secondaryLimitsWaitLongerEachTimeAndCountAsAttempts() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/throttled", issueCount: 10)
        try await fixture.simulator.setScenario(.secondaryRateLimit(retryAfter: 60, status: 403), for: "acme/throttled")
        let recorder = SleepRecorder()
        let retry = RetryPolicy(sleep: { await recorder.record($0) })

        let first = try await fixture.sync(job: job, retry: retry)
        #expect(await recorder.waits == [.seconds(60), .seconds(120), .seconds(240)], "growing, never 60 s four times")
        #expect(await fixture.simulator.requests().count == 4)
        var state = try fixture.job(job)
        #expect(first.status == "partial" && state.status == "partial" && state.attempts == 1)
        let firstDelay = state.nextSyncAt!.timeIntervalSinceNow
        #expect(firstDelay > 470, "at least the 480 s the next retry would have waited")

        let cooling: Date? = try fixture.connection.query("SELECT max(cooling_until) AS t FROM wsync.github_tokens")[0].decode("t")
        #expect(try #require(cooling) > Date().addingTimeInterval(400))
        let worker = SyncWorker(database: fixture.database.configuration, github: fixture.github,
                                options: WorkerOptions(once: true, rateLimitReserve: 0), retry: SyncFixture.noWaiting)
        try fixture.connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() WHERE id = \(job)")
        #expect(try await worker.run().runs == 0, "no worker sends with a token that is cooling down")

        await fixture.simulator.clearRequests()
        let waiting = try await fixture.sync(job: job, retry: retry)
        #expect(waiting.status == "partial" && waiting.apiCalls == 0, "a manual sync waits out the cool-down too")
        #expect(await fixture.simulator.requests().isEmpty)

        // The cool-down passes (here: by moving it into the past) and GitHub still refuses.
        try fixture.connection.execute("UPDATE wsync.github_tokens SET cooling_until = now() - interval '1 second'")
        _ = try await fixture.sync(job: job, retry: retry)
        state = try fixture.job(job)
        #expect(state.attempts == 2)
        #expect(state.nextSyncAt!.timeIntervalSinceNow > 1.5 * firstDelay, "the next wait doubled")
    }

    /// 2. A run that ends in an error records the requests it made, as GitHub charged them.
    @Test func runsThatEndInAnErrorRecordTheirRequests() async throws {
        let cases: [(GitHubSimulator.Scenario, calls: Int, charged: Int)] = [
            (.notFound, 1, 1), (.validationFailed, 1, 1), (.serverError(delay: .zero), 4, 0),
        ]
        for (scenario, calls, charged) in cases {
            let fixture = try await SyncFixture.make()
            let job = try await fixture.track("acme/errors", issueCount: 10)
            try await fixture.simulator.setScenario(scenario, for: "acme/errors")
            let before = await fixture.simulator.rateLimit().remaining
            let report = try await fixture.sync(job: job)
            #expect(report.status == "failed" && report.apiCalls == calls, "\(scenario)")
            #expect(try fixture.lastRun(job).apiCalls == calls, "\(scenario)")
            #expect(await fixture.simulator.rateLimit().remaining == before - charged, "\(scenario)")
            await fixture.stop()
        }
    }

    /// 4. A 403 with `x-ratelimit-remaining: 0` and no reset header is a rate limit: the free GET /rate_limit tells
    /// the reset, and the job waits for it without an attempt (not a failure with a 5-minute backoff).
    @Test func aSpentBudgetWithoutResetHeaderIsARateLimit() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/spent", issueCount: 10)
        try await fixture.simulator.setScenario(.primaryLimitWithoutReset, for: "acme/spent", times: 1)
        let report = try await fixture.sync(job: job)
        let state = try fixture.job(job)
        #expect(report.status == "partial" && state.status == "partial" && state.attempts == 0)
        #expect(state.error?.contains("rate limit") == true, "\(state.error ?? "")")
        #expect(state.nextSyncAt == (await fixture.simulator.rateLimit().resetAt))
        #expect(await fixture.simulator.requests().map(\.path).last == "/rate_limit")
    }

    /// 5. Plain issues of 2012 carried `pull_request` with null URLs: they are issues, and all of them are stored.
    @Test func aPullRequestObjectWithoutURLDoesNotMakeAPullRequest() async throws {
        let fixture = try await SyncFixture.make(.init(token: "test-token", legacyPullRequestStubs: true))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/old-shape", issueCount: 16, pullRequestEvery: 4)
        let report = try await fixture.sync(job: job)
        let repository = try #require(await fixture.simulator.repository("acme/old-shape"))
        #expect(report.status == "success" && report.issuesSynced == 12)
        #expect(Set(try fixture.storedIssues("acme/old-shape").keys) == Set(repository.issues.map(\.id)))
        let stub = try JSONDecoder.gitHub.decode(GitHubIssue.self, from: Data("""
            {"id": 1, "number": 1, "title": "t", "state": "open", "created_at": "2012-05-27T05:40:15Z",
             "updated_at": "2012-05-27T05:40:15Z", "pull_request": {"html_url": null, "diff_url": null, "patch_url": null}}
            """.utf8))
        #expect(!stub.isPullRequest)
    }

    /// 6. `since` is documented as "updated after": the listing starts before the newest stored update, so an
    /// issue updated in that same second is not missed, and what it re-reads is neither rewritten nor counted.
    @Test func theListingOverlapsTheMarkAndSkipsWhatItHas() async throws {
        let fixture = try await SyncFixture.make(.init(token: "test-token", sinceIsExclusive: true))
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/overlap", issueCount: 150, pullRequestEvery: 0, spreadDays: 10)
        let first = try await fixture.sync(job: job)
        let newest = try #require(await fixture.simulator.repository("acme/overlap")?.items.map(\.updatedAt).max())
        #expect(first.issuesSynced == 150, "the refresh re-read the overlap without counting it twice")
        #expect(try fixture.job(job).issuesSince == newest.addingTimeInterval(-60))

        let sameSecond = try await fixture.simulator.addIssues(to: "acme/overlap", count: 1, updatedAt: newest)
        await fixture.simulator.clearRequests()
        let second = try await fixture.sync(job: job)
        #expect(try fixture.storedIssues("acme/overlap")[sameSecond[0].id] != nil, "updated in the mark's second, still found")
        #expect(second.issuesFound > 1 && second.issuesSynced == 1, "the overlap is re-read, only the new issue stored")
        let sent = try #require(await fixture.simulator.requests().first?.query["since"])
        #expect(try Date(sent, strategy: .iso8601) < newest)
    }

    /// 7. Without any token, every command that talks to GitHub warns first.
    @Test func noTokenIsWarnedAbout() throws {
        let bare = try GitHubConfiguration.fromEnvironment([:])
        #expect(bare.tokens.isEmpty && bare.warnings == [GitHubConfiguration.unauthenticatedWarning])
        #expect(GitHubConfiguration.unauthenticatedWarning.contains("60"))
        #expect(try GitHubConfiguration.fromEnvironment(["GITHUB_TOKEN": "t"]).warnings.isEmpty)
        #expect(try GitHubConfiguration.fromEnvironment(["GITHUB_TOKENS": "a,b"]).warnings.isEmpty)
    }

    /// 8. An unchanged repository costs one free 304; a changed one whose changes fit in a page costs one request;
    /// one that outgrows a page pays its pages once and one request for a new ETag, then is free again.
    @Test func aChangedRepositoryCostsOneRequestAndAnUnchangedOneNothing() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/cheap", issueCount: 40, pullRequestEvery: 0)
        func charged(_ run: () async throws -> RunReport) async throws -> (report: RunReport, requests: Int, charged: Int) {
            await fixture.simulator.clearRequests()
            let before = await fixture.simulator.rateLimit().remaining
            let report = try await run()
            return (report, await fixture.simulator.requests().count, before - (await fixture.simulator.rateLimit().remaining))
        }
        let first = try await charged { try await fixture.sync(job: job) }
        #expect(first.requests == 1 && first.charged == 1 && first.report.issuesSynced == 40)
        let unchanged = try await charged { try await fixture.sync(job: job) }
        #expect(unchanged.requests == 1 && unchanged.charged == 0 && unchanged.report.notModified == 1)

        for number in [3, 7, 11] {
            try await fixture.simulator.editIssue(in: "acme/cheap", number: number) { $0.comments += 1 }
        }
        let changed = try await charged { try await fixture.sync(job: job) }
        #expect(changed.requests == 1 && changed.charged == 1)
        #expect(changed.report.issuesSynced == 3, "only the three edited issues are written")
        #expect(try fixture.lastRun(job).apiCalls == 1)
        let again = try await charged { try await fixture.sync(job: job) }
        #expect(again.charged == 0 && again.report.notModified == 1)

        // 120 new issues over ten minutes outgrow the page. (A burst of more than a page within the overlap of
        // one minute would cost a page more.)
        for minutes in [10, 5] {
            let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - Double(minutes * 60)).rounded(.down))
            try await fixture.simulator.addIssues(to: "acme/cheap", count: 60, updatedAt: at)
        }
        let outgrown = try await charged { try await fixture.sync(job: job) }
        #expect(outgrown.requests == 3, "two pages, then one request from the new mark")
        // Besides the new ones, the old issues whose milestone now counts more open issues differ, and are written.
        let withMilestone = try #require(await fixture.simulator.repository("acme/cheap")).items.filter { $0.number <= 40 && $0.milestone != nil }
        #expect(outgrown.report.issuesSynced == 120 + withMilestone.count)
        let quiet = try await charged { try await fixture.sync(job: job) }
        #expect(quiet.requests == 1 && quiet.charged == 0)
    }

    /// 8, continued. Pull requests are dropped, but they move the mark: a repository busy with pull requests is not
    /// listed in full again and again.
    @Test func pullRequestsMoveTheMarkToo() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/pulls", issueCount: 150, pullRequestEvery: 1)
        let first = try await fixture.sync(job: job)
        #expect(first.status == "success" && first.issuesFound == 0 && first.pages == 3)
        await fixture.simulator.clearRequests()
        let second = try await fixture.sync(job: job)
        let requests = await fixture.simulator.requests().count
        #expect(second.notModified == 1 && requests == 1)
    }

    /// 9. A repository answered 404/410 often enough over a long enough span is deactivated: with the reason, audited,
    /// among the failed syncs, and undoable. A success in between starts the streak over.
    @Test func aRepositoryThatStaysGoneIsDeactivatedAuditedAndUndoable() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/vanished", issueCount: 5)
        let options = SyncNowOptions(gone: GonePolicy(answers: 3, minimumSpan: .seconds(3600)))
        func isActive() throws -> Bool {
            try fixture.connection.query("SELECT is_active FROM workspace_tracked_repositories WHERE id = \(job)")[0].decode("is_active")
        }
        try await fixture.simulator.setScenario(.issuesDisabled, for: "acme/vanished", times: 2)
        for _ in 0..<2 { _ = try await fixture.sync(job: job, options: options) }
        _ = try await fixture.sync(job: job, options: options)
        #expect(try fixture.job(job).status == "success" && isActive(), "a success breaks the streak")

        try await fixture.simulator.setScenario(.notFound, for: "acme/vanished")
        for _ in 0..<3 { _ = try await fixture.sync(job: job, options: options) }
        #expect(try isActive(), "three answers within minutes are not yet a span of an hour")
        try fixture.connection.execute("UPDATE workspace_tracked_repositories SET gone_since = now() - interval '2 hours' WHERE id = \(job)")
        _ = try await fixture.sync(job: job, options: options)
        #expect(try !isActive())

        let failed = try #require(try FailedSync.fetch(fixture.connection).first { $0.jobId == job })
        #expect(!failed.isActive && failed.lastSyncError?.hasPrefix("deactivated: GitHub answered \"gone\" 4 times in a row") == true)
        let entry = try #require(try AuditLog.entries(fixture.connection, action: .deactivateGone).first)
        #expect(entry.isUndoable && entry.parameters["repository"] == "acme/vanished" && entry.affectedRows == 1)

        let undone = try Operations(connection: fixture.connection, actor: "tests").undo(actionID: entry.id)
        #expect(try undone.affectedRows == 1 && isActive())
        let streak: Int = try fixture.connection.query("SELECT gone_count FROM workspace_tracked_repositories WHERE id = \(job)")[0].decode("gone_count")
        #expect(streak == 0, "undo starts the streak over")
    }
}
