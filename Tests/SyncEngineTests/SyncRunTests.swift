import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

@Suite struct SyncRunTests {
    @Test(arguments: DatabaseShape.allCases) func firstSyncStoresExactlyTheNonPullRequestItemsInTheRetentionWindow(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/window", issueCount: 150, pullRequestEvery: 4, spreadDays: 60, retentionDays: 30)
        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")

        let cutoff = Date().addingTimeInterval(-30 * 86_400)
        let expected = await fixture.simulator.repository("acme/window")!.issues.filter { $0.updatedAt >= cutoff }
        let stored = try fixture.storedIssues("acme/window")
        #expect(Set(stored.keys) == Set(expected.map(\.id)))
        #expect(report.issuesSynced >= expected.count)
        for item in expected {
            #expect(stored[item.id]?.title == item.title.replacingOccurrences(of: "\u{0000}", with: "\u{FFFD}"))
            #expect(stored[item.id]?.state == item.state.rawValue)
        }
        let state = try fixture.job(job)
        #expect(state.status == "success" && state.attempts == 0 && state.leaseOwner == nil)
        // 150 items outgrow a page, so the mark moved to the newest update, less the overlap.
        #expect(state.issuesSince == expected.map(\.updatedAt).max()!.addingTimeInterval(-60))
        #expect(state.etag != nil)
        #expect(state.nextSyncAt! > Date().addingTimeInterval(23 * 3600))
        let nulBodies: Int = try fixture.connection.query("SELECT count(*) AS n FROM issues WHERE body LIKE \("%\u{FFFD}%")").first!.decode("n")
        #expect(nulBodies == expected.filter { $0.body?.contains("\u{0000}") == true }.count)
        let history = try fixture.connection.query("SELECT status, issues_stored, api_calls FROM wsync.sync_runs WHERE job_id = \(job)")
        #expect(history.count == 1)
        #expect(try history.first!.decode("status", as: String.self) == "success")
    }

    @Test(arguments: DatabaseShape.allCases) func secondSyncIsOne304AndChangesNothing(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/quiet", issueCount: 80)
        _ = try await fixture.sync(job: job)
        let before = try fixture.digest()
        let remaining = await fixture.simulator.rateLimit().remaining
        await fixture.simulator.clearRequests()

        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")
        #expect(report.notModified == 1 && report.issuesSynced == 0)
        let log = await fixture.simulator.requests()
        #expect(log.count == 1)
        #expect(log.first?.status == 304)
        #expect(await fixture.simulator.rateLimit().remaining == remaining)
        #expect(try fixture.digest() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func anEditIsPickedUpAndCountedInDailyMetrics(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/edits", issueCount: 40, pullRequestEvery: 0)
        _ = try await fixture.sync(job: job)
        let open = await fixture.simulator.repository("acme/edits")!.issues.first { $0.state == .open }!
        let today = CalendarDay(Date())
        func closedToday() throws -> Int {
            try fixture.connection.query("""
                SELECT coalesce(sum(issues_closed), 0)::integer AS n FROM daily_activity_metrics WHERE date = \(today)
                """).first!.decode("n")
        }
        let closedBefore = try closedToday()
        let edited = try await fixture.simulator.editIssue(in: "acme/edits", number: open.number) {
            $0.title = "Edited title"
            $0.close(at: Date())
        }
        let added = try await fixture.simulator.addIssues(to: "acme/edits", count: 2)

        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")
        let stored = try fixture.storedIssues("acme/edits")
        #expect(stored[edited.id]?.title == "Edited title")
        #expect(stored[edited.id]?.state == "closed")
        #expect(added.allSatisfy { stored[$0.id] != nil })
        #expect(try closedToday() == closedBefore + 1 + added.filter { $0.state == .closed }.count)
        let openedToday: Int = try fixture.connection.query("""
            SELECT issues_opened FROM daily_activity_metrics WHERE date = \(today)
            """).first?.decode("issues_opened") ?? 0
        let expectedOpened = await fixture.simulator.repository("acme/edits")!.issues.filter { CalendarDay($0.createdAt) == today }.count
        #expect(openedToday == expectedOpened)
        let cache: Int = try fixture.connection.query("SELECT count(*) AS n FROM workspace_issues_cache WHERE workspace_id = \(fixture.workspaceID)").first!.decode("n")
        #expect(cache == 4)
    }

    @Test(arguments: DatabaseShape.allCases) func threeHundredFiftyIssuesOverFourPagesAreAllStored(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/large", issueCount: 350, pullRequestEvery: 0)
        let report = try await fixture.sync(job: job)
        #expect(report.status == "success")
        #expect(try fixture.storedIssues("acme/large").count == 350)
        let pages = await fixture.simulator.requests().filter { $0.path.hasSuffix("/issues") && $0.status == 200 }
        #expect(pages.count == 5, "four pages, then one request from the new mark for a reusable ETag")
        #expect(try fixture.job(job).totalFetched == report.issuesFound)
    }

    @Test(arguments: DatabaseShape.allCases) func exhaustionMidPaginationEndsPartialAndResumesAfterReset(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/budget", issueCount: 350, pullRequestEvery: 0)
        await fixture.simulator.setRateLimitRemaining(2)
        let first = try await fixture.sync(job: job)
        #expect(first.status == "partial")
        #expect(try fixture.storedIssues("acme/budget").count == 200)
        let state = try fixture.job(job)
        #expect(state.status == "partial")
        let resetAt = await fixture.simulator.rateLimit().resetAt
        #expect(state.nextSyncAt == resetAt)
        let observed: Int = try fixture.connection.query("SELECT min(remaining) AS n FROM wsync.rate_limit_observations").first!.decode("n")
        #expect(observed == 0)

        // The window resets: on GitHub by time passing, here by the simulator and the recorded reset moving into the past.
        await fixture.simulator.resetRateLimit()
        try fixture.connection.execute("UPDATE wsync.rate_limit_observations SET reset_at = now() - interval '1 second'")
        let second = try await fixture.sync(job: job)
        #expect(second.status == "success")
        #expect(try fixture.storedIssues("acme/budget").count == 350)
        let resumedFrom = await fixture.simulator.requests().first { $0.status == 200 && $0.query["since"] != nil && $0.query["page"] == nil && $0.path.hasPrefix("/repos/") }
        #expect(resumedFrom != nil)
    }

    @Test(arguments: DatabaseShape.allCases) func dryRunFetchesAndWritesNothing(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/dry", issueCount: 30)
        let before = try fixture.digest()
        let result = try await fixture.sync(SyncSelection(jobIDs: [job]), options: SyncNowOptions(dryRun: true))
        #expect(result.dryRun && result.totalIssuesFound > 0 && result.totalIssuesSynced == 0)
        #expect(try fixture.digest() == before)
        #expect(try fixture.job(job).status == nil)
        let written: Int = try fixture.connection.query("""
            SELECT (SELECT count(*) FROM wsync.sync_runs) + (SELECT count(*) FROM wsync.audit_log)
                 + (SELECT count(*) FROM wsync.rate_limit_observations) AS n
            """).first!.decode("n")
        #expect(written == 0)
    }

    @Test(arguments: DatabaseShape.allCases) func pageBudgetEndsPartialAndTheNextRunResumes(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/budgeted", issueCount: 250, pullRequestEvery: 0)
        let first = try await fixture.sync(job: job, options: SyncNowOptions(maxPages: 2))
        #expect(first.status == "partial" && first.pages == 2)
        #expect(try fixture.storedIssues("acme/budgeted").count == 200)
        #expect(try fixture.job(job).nextSyncAt! <= Date())
        let second = try await fixture.sync(job: job, options: SyncNowOptions(maxPages: 2))
        #expect(second.status == "success")
        #expect(try fixture.storedIssues("acme/budgeted").count == 250)
    }

    @Test(arguments: DatabaseShape.allCases) func finishedRunsNotifyListeningDashboards(shape: DatabaseShape) async throws {
        let fixture = try await SyncFixture.make(shape: shape)
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let job = try await fixture.track("acme/notify", issueCount: 10)
        let listener = try fixture.database.connect()
        try listener.listen(EventChannel.name)
        let result = try await fixture.sync(SyncSelection(jobIDs: [job]))
        let notification = try listener.waitForNotification(timeout: 5)
        #expect(notification?.channel == EventChannel.name)
        let audit = try AuditLog.entries(fixture.connection, action: .sync)
        #expect(audit.count == 1 && audit.first?.id == result.auditID)
        #expect(audit.first?.parameters["jobs"] == job.uuidString.lowercased())
    }
}
