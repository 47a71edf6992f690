import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The guide's weekly and monthly reviews against independent SQL on seeded data.
@Suite struct ReportTests {
    @Test(arguments: DatabaseShape.allCases) func weeklyCountsEveryRunPerDay(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let weekly = try WeeklyStats.fetch(connection)
        let expected = try connection.query("""
            SELECT started_at::date AS day, count(*)::int AS total, count(*) FILTER (WHERE status = 'success')::int AS ok,
                   sum(api_calls)::int AS calls
            FROM wsync.sync_runs WHERE started_at > now() - interval '7 days' GROUP BY 1 ORDER BY 1 DESC
            """)
        #expect(weekly.map(\.syncDate) == (try expected.map { try $0.decode("day", as: CalendarDay.self) }))
        #expect(weekly.map(\.totalSyncs) == (try expected.map { try $0.decode("total", as: Int.self) }))
        #expect(weekly.map(\.successfulSyncs) == (try expected.map { try $0.decode("ok", as: Int.self) }))
        #expect(weekly.map(\.apiCalls) == (try expected.map { try $0.decode("calls", as: Int.self) }))
    }

    @Test(arguments: DatabaseShape.allCases) func tierReviewIsTheGuidesQuery(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let review = try TierReview.fetch(connection)
        let guide = try connection.query("""
            SELECT w.name, w.tier, COUNT(wtr.id)::int as tracked_repos, coalesce(SUM(wtr.total_issues_fetched), 0)::int as total_issues_synced
            FROM workspaces w LEFT JOIN workspace_tracked_repositories wtr ON w.id = wtr.workspace_id
            GROUP BY w.id, w.name, w.tier ORDER BY w.tier DESC, total_issues_synced DESC, w.name
            """)
        #expect(review.map(\.name) == (try guide.map { try $0.decode("name", as: String.self) }))
        #expect(review.map(\.trackedRepos) == (try guide.map { try $0.decode("tracked_repos", as: Int.self) }))
        #expect(review.map(\.totalIssuesSynced) == (try guide.map { try $0.decode("total_issues_synced", as: Int.self) }))
        #expect(review.allSatisfy { $0.currentRepositoryCount > 0 })
    }

    @Test(arguments: DatabaseShape.allCases) func performancePercentilesFromRunHistory(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let audit = try PerformanceAudit.fetch(connection)
        let durations = try connection.query("SELECT duration_ms FROM wsync.sync_runs WHERE duration_ms IS NOT NULL ORDER BY 1")
            .map { try $0.decode("duration_ms", as: Int.self) }
        #expect(audit.runs == durations.count)
        #expect(audit.minMs == durations.first && audit.maxMs == durations.last)
        // Nearest-rank percentiles: the smallest value with at least p of the values at or below it.
        func rank(_ p: Double) -> Int { durations[Int((p * Double(durations.count)).rounded(.up)) - 1] }
        #expect(audit.p50Ms == rank(0.5))
        #expect(audit.p95Ms == rank(0.95))
        let average = Double(durations.reduce(0, +)) / Double(durations.count)
        #expect(abs((audit.avgMs ?? 0) - average) < 0.06)
    }

    @Test(arguments: DatabaseShape.allCases) func costIsExactAndBesideRecordedCalls(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let cost = try CostAnalysis.fetch(connection)
        for row in cost {
            let frequencies = try connection.query("""
                SELECT sync_frequency_hours FROM workspace_tracked_repositories WHERE workspace_id = \(row.workspaceId) AND is_active
                """).map { try $0.decode("sync_frequency_hours", as: Int.self) }
            let syncs = frequencies.map { 24.0 / Double($0) * 30 }.reduce(0, +)
            #expect(row.repos == frequencies.count)
            #expect(abs(row.estimatedMonthlySyncs - syncs) < 1e-6)
            #expect(abs(row.estimatedApiCalls - syncs * 5) < 1e-6)
            let recorded = try connection.query("""
                SELECT coalesce(sum(api_calls), 0)::int AS n FROM wsync.sync_runs
                WHERE workspace_id = \(row.workspaceId) AND started_at > now() - interval '30 days'
                """)[0].decode("n", as: Int.self)
            #expect(row.recordedApiCalls == recorded)
        }
        #expect(cost.map(\.estimatedApiCalls) == cost.map(\.estimatedApiCalls).sorted(by: >))
    }

    @Test(arguments: DatabaseShape.allCases) func frequencyCandidatesCountIssuesOncePerRepository(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let candidates = try FrequencyCandidate.fetch(connection, minIssues: 50)
        #expect(!candidates.isEmpty)
        for candidate in candidates {
            let issues = try connection.query("""
                SELECT count(*)::int AS n FROM issues i JOIN repositories r ON r.id = i.repository_id
                WHERE r.full_name = \(candidate.fullName) AND i.created_at > now() - interval '7 days'
                """)[0].decode("n", as: Int.self)
            #expect(candidate.issuesLastWeek == issues && issues > 50)
        }
        let busyRepositories = try connection.query("""
            SELECT count(*)::int AS n FROM (SELECT repository_id FROM issues WHERE created_at > now() - interval '7 days'
                                            GROUP BY 1 HAVING count(*) > 50) busy
            """)[0].decode("n", as: Int.self)
        #expect(Set(candidates.map(\.fullName)).count == busyRepositories)
        #expect(throws: WSyncError.self) { try FrequencyCandidate.fetch(connection, minIssues: -1) }
    }

    @Test(arguments: DatabaseShape.allCases) func exportIsTheGuidesQueryAsRFC4180(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let rows = try SyncExportRow.fetch(connection)
        let expected = try connection.query("""
            SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_at > NOW() - INTERVAL '24 hours'
            """)[0].decode("n", as: Int.self)
        #expect(rows.count == expected)
        let document = CSV.document(rows)
        #expect(document.hasPrefix("workspace,repository,last_sync_at,total_issues_fetched,priority_score\r\n"))
        #expect(CSV.record(["plain", "with,comma", "with \"quote\"", "two\nlines"]) == "plain,\"with,comma\",\"with \"\"quote\"\"\",\"two\nlines\"\r\n")
    }

    @Test(arguments: DatabaseShape.allCases) func indexUsageCoversTheSyncTables(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let analyzed = try DatabaseTuning.analyze(connection)
        #expect(analyzed.contains("workspace_tracked_repositories"))
        let usage = try IndexUsage.fetch(connection)
        #expect(usage.contains { $0.indexname == "wsync_wtr_due_idx" })
        #expect(Set(usage.map(\.tablename)).isSubset(of: Set(DatabaseTuning.tables)))
    }
}
