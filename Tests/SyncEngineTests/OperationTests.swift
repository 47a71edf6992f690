import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// Each change against a seeded spread of states: exactly what it says, one audit row, and a faithful undo.
@Suite struct OperationTests {
    @Test(arguments: DatabaseShape.allCases) func resetAllFailedClearsExactlyTheFailedRows(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let failedIDs = Set(before.filter { $0.status == "failed" }.map(\.id))
        let outcome = try operations.reset(.allFailed)
        #expect(outcome.affectedRows == failedIDs.count)
        #expect(Set(outcome.jobIds) == failedIDs)
        let after = try connection.jobs()
        for (old, new) in zip(before, after) {
            if failedIDs.contains(old.id) {
                #expect(new.attempts == 0 && new.error == nil && new.dueWithinSeconds(5))
                #expect(new.status == "failed")
            } else {
                #expect(old == new)
            }
        }
        let actionID = try #require(outcome.actionId)
        let entry = try #require(try AuditLog.entry(connection, id: actionID))
        #expect(entry.action == "reset" && entry.actor == "tester" && entry.affectedRows == failedIDs.count && entry.isUndoable)
    }

    @Test(arguments: DatabaseShape.allCases) func resetOneWorkspaceRepositoryAndUndoIt(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let target = try #require(try FailedSync.fetch(connection).first)
        let repository = target.repository
        let before = try connection.jobs()
        let outcome = try operations.reset(.workspaceRepository(workspace: target.workspaceId, repository: repository.uppercased()))
        #expect(outcome.affectedRows == 1)
        let changed = try connection.jobs().filter { job in job != before.first(where: { $0.id == job.id }) }
        #expect(changed.map(\.id) == [target.jobId])
        _ = try operations.undo(actionID: try #require(outcome.actionId))
        #expect(try connection.jobs() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func resetOfOneWorkspaceTouchesOnlyItsFailedRows(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let target = try #require(try FailedSync.fetch(connection).first)
        let expected = try FailedSync.fetch(connection, workspace: target.workspaceId).count
        let outcome = try operations.reset(.workspace(target.workspaceId))
        #expect(outcome.affectedRows == expected)
        #expect(try FailedSync.fetch(connection, workspace: target.workspaceId).allSatisfy { $0.syncAttempts == 0 })
    }

    @Test(arguments: DatabaseShape.allCases) func resetOfAnErrorGroupTouchesExactlyItsRows(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let failed = try FailedSync.fetch(connection)
        let group = try #require(Dictionary(grouping: failed, by: \.lastSyncError).values.first { $0.count > 1 })
        let ids = group.map(\.jobId)
        let before = try connection.jobs()
        let outcome = try operations.reset(.jobs(ids))
        #expect(Set(outcome.jobIds) == Set(ids))
        let changed = try connection.jobs().filter { job in job != before.first(where: { $0.id == job.id }) }
        #expect(Set(changed.map(\.id)) == Set(ids))
        #expect(try AuditLog.entry(connection, id: try #require(outcome.actionId))?.isUndoable == true)

        #expect(throws: WSyncError.self) { try operations.reset(.jobs(ids + [UUID()])) }
        #expect(throws: WSyncError.self) { try operations.reset(.jobs([])) }
    }

    @Test(arguments: DatabaseShape.allCases) func stopAllThenResumeRestoresTheExactActiveSet(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let wasActive = before.filter { $0.active == true }.map(\.id)
        let stop = try operations.stopAll(reason: "GitHub incident")
        #expect(stop.affectedRows == wasActive.count)
        #expect(try connection.jobs().allSatisfy { $0.active != true })
        let pause = try PauseState.fetch(connection)
        #expect(pause.isPaused && pause.reason == "GitHub incident" && pause.pausedBy == "tester" && pause.actionId == stop.actionId)

        let resume = try operations.resume()
        #expect(resume.affectedRows == wasActive.count && resume.skipped.isEmpty)
        #expect(try connection.jobs() == before)
        #expect(try !PauseState.fetch(connection).isPaused)
        let stopEntry = try #require(try AuditLog.entry(connection, id: stop.actionId!))
        #expect(stopEntry.undoneAt != nil && stopEntry.undoneBy == "tester" && stopEntry.undoActionId == resume.actionId)
        #expect(try AuditLog.entry(connection, id: resume.actionId!)?.undoesActionId == stop.actionId)
    }

    @Test(arguments: DatabaseShape.allCases) func resumeLeavesRowsChangedSinceAloneAndReportsThem(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let stop = try operations.stopAll(reason: "maintenance")
        let stopped = try #require(stop.jobIds.first)
        let reactivated = try #require(try connection.query("""
            UPDATE workspace_tracked_repositories SET is_active = true
            WHERE id = \(stopped) RETURNING id
            """).first).decode("id", as: UUID.self)
        let name = try #require(try connection.query("""
            SELECT r.full_name FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            JOIN repositories r ON r.id = tr.repository_id WHERE wtr.id = \(reactivated)
            """).first).decode("full_name", as: String.self)
        let resume = try operations.resume(actionID: stop.actionId)
        #expect(resume.affectedRows == stop.affectedRows - 1)
        #expect(resume.skipped == [name])
    }

    @Test(arguments: DatabaseShape.allCases) func twoStopsNeedTwoResumesBeforeThePauseLifts(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let first = try operations.stopAll(reason: "first")
        let second = try operations.stopAll(reason: "second")
        #expect(second.affectedRows == 0)
        let resumeSecond = try operations.resume()
        #expect(resumeSecond.summary.contains("stays paused: action \(first.actionId!)"))
        #expect(try PauseState.fetch(connection).isPaused)
        _ = try operations.resume()
        #expect(try !PauseState.fetch(connection).isPaused)
        #expect(try connection.jobs() == before)
        let nothing = #expect(throws: WSyncError.self) { try operations.resume() }
        #expect(nothing?.kind == .refused)
    }

    @Test(arguments: DatabaseShape.allCases) func slowDownThenUndoRestoresEveryFrequency(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let outcome = try operations.slowDown(factor: 2, minHours: 48)
        let after = try connection.jobs()
        var changed = 0
        for (old, new) in zip(before, after) {
            let expected = old.active == true ? min(168, max((old.hours ?? 24) * 2, 48)) : old.hours
            #expect(new.hours == expected)
            if new.hours != old.hours { changed += 1 }
        }
        #expect(outcome.affectedRows == changed && changed > 0)
        #expect(after.allSatisfy { ($0.hours ?? 0) <= 168 })
        let undo = try operations.undo(actionID: try #require(outcome.actionId))
        #expect(undo.affectedRows == changed)
        #expect(try connection.jobs() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func pauseTierDeactivatesTheBusiestWorkspacesOfThatTierOnly(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let expected = try connection.query("""
            SELECT j.workspace_id, count(*) AS active FROM workspace_tracked_repositories j JOIN workspaces w ON w.id = j.workspace_id
            WHERE w.tier = 'free' AND j.is_active GROUP BY j.workspace_id ORDER BY count(*) DESC, j.workspace_id LIMIT 5
            """)
        let workspaces = Set(try expected.map { try $0.decode("workspace_id", as: UUID.self) })
        let outcome = try operations.pauseTier(.free, limit: 5)
        #expect(outcome.affectedRows == (try expected.map { try $0.decode("active", as: Int.self) }.reduce(0, +)))
        for (old, new) in zip(before, try connection.jobs()) {
            #expect(new.active == (old.active == true && workspaces.contains(old.workspace) ? false : old.active))
        }
        _ = try operations.undo(actionID: outcome.actionId!)
        #expect(try connection.jobs() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func setFrequencyAndRetentionChangeOnlyTheirRowsAndUndo(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let frequency = try operations.setFrequency(tier: .pro, hours: 8)
        let proWorkspaces = Set(try connection.query("SELECT id FROM workspaces WHERE tier = 'pro'").map { try $0.decode("id", as: UUID.self) })
        for (old, new) in zip(before, try connection.jobs()) {
            #expect(new.hours == (proWorkspaces.contains(old.workspace) ? 8 : old.hours))
        }
        #expect(frequency.affectedRows == before.filter { proWorkspaces.contains($0.workspace) && $0.hours != 8 }.count)

        let busy = Set(try connection.query("""
            SELECT workspace_id FROM workspace_tracked_repositories GROUP BY workspace_id HAVING SUM(total_issues_fetched) > 1000
            """).map { try $0.decode("workspace_id", as: UUID.self) })
        let middle = try connection.jobs()
        _ = try operations.setRetention(days: 60, minTotalIssues: 1000)
        for (old, new) in zip(middle, try connection.jobs()) {
            #expect(new.retention == (busy.contains(old.workspace) ? 60 : old.retention))
        }
        let latest = try AuditLog.entries(connection, limit: 1)[0]
        _ = try operations.undo(actionID: latest.id)
        _ = try operations.undo(actionID: frequency.actionId!)
        #expect(try connection.jobs() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func everyOperationWritesExactlyOneMatchingAuditRow(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let steps: [(AuditAction, () throws -> ActionOutcome)] = [
            (.link, { try operations.link() }),
            (.reset, { try operations.reset(.allFailed) }),
            (.slowDown, { try operations.slowDown(factor: 1.5, minHours: 12) }),
            (.pauseTier, { try operations.pauseTier(.pro, limit: 2) }),
            (.setFrequency, { try operations.setFrequency(tier: .free, hours: 12) }),
            (.setRetention, { try operations.setRetention(days: 30, minTotalIssues: 0) }),
            (.stopAll, { try operations.stopAll(reason: "drill") }),
            (.resume, { try operations.resume() }),
            (.undo, { try operations.undo(actionID: try #require(try AuditLog.entries(connection, limit: 50).first(where: \.isUndoable)).id) }),
            (.cleanup, { try operations.cleanup().outcome }),
            (.rollback, { try operations.rollback() }),
        ]
        for (action, step) in steps {
            let before = try AuditLog.entries(connection, limit: 10_000).count
            let outcome = try step()
            let entries = try AuditLog.entries(connection, limit: 10_000)
            #expect(entries.count == before + 1, "\(action)")
            let newest = try #require(entries.first)
            #expect(newest.id == outcome.actionId && newest.action == action.rawValue && outcome.action == action)
            #expect(newest.affectedRows == outcome.affectedRows && newest.summary == outcome.summary && newest.actor == "tester")
            #expect(newest.isUndoable == outcome.undoable, "\(action)")
        }
    }

    @Test(arguments: DatabaseShape.allCases) func auditParametersOfOtherWritersAreReadAsText(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        try connection.execute("""
            INSERT INTO wsync.audit_log (actor, action, parameters, summary)
            VALUES ('worker', 'sync', '{"job_ids": ["a", "b"], "limit": 5, "hours_back": null, "repository": "o/r"}', 'synced')
            """)
        let entry = try #require(try AuditLog.entries(connection, limit: 1).first)
        #expect(entry.parameters == ["job_ids": #"["a", "b"]"#, "limit": "5", "repository": "o/r"])
    }

    @Test(arguments: DatabaseShape.allCases) func undoThatWouldRestoreNothingIsRefusedAndStaysPossibleLater(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let first = try #require(try operations.slowDown().actionId)
        let second = try #require(try operations.slowDown(factor: 10, minHours: 48).actionId)
        let refused = #expect(throws: WSyncError.self) { try operations.undo(actionID: first) }
        #expect(refused?.kind == .conflict && refused?.hint == .undoNewerFirst, "\(String(describing: refused))")
        #expect(try AuditLog.entry(connection, id: first)?.undoneAt == nil)
        _ = try operations.undo(actionID: second)
        _ = try operations.undo(actionID: first)
        #expect(try connection.jobs() == before)
    }

    @Test(arguments: DatabaseShape.allCases) func undoTwiceOrOfNothingIsRefused(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let outcome = try operations.slowDown()
        _ = try operations.undo(actionID: outcome.actionId!)
        let again = #expect(throws: WSyncError.self) { try operations.undo(actionID: outcome.actionId!) }
        #expect(again?.kind == .refused)
        let missing = #expect(throws: WSyncError.self) { try operations.undo(actionID: 999_999) }
        #expect(missing?.kind == .notFound && missing?.hint == .seeAuditLog)
        let cleanup = try operations.cleanup().outcome
        let notUndoable = #expect(throws: WSyncError.self) { try operations.undo(actionID: cleanup.actionId!) }
        #expect(notUndoable?.kind == .refused && notUndoable?.cause.contains("cannot be undone") == true)
        let wrongKind = #expect(throws: WSyncError.self) { try operations.resume(actionID: cleanup.actionId!) }
        #expect(wrongKind?.kind == .refused && wrongKind?.hint == .seeAuditLog)
    }

    @Test(arguments: DatabaseShape.allCases) func cleanupDeletesExpiredCacheAndMovesOldMetrics(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let expected = try #require(try connection.query("""
            SELECT (SELECT count(*) FROM workspace_issues_cache WHERE expires_at < now() - interval '7 days')::int AS cache,
                   (SELECT count(*) FROM daily_activity_metrics WHERE date < current_date - 90)::int AS metrics,
                   (SELECT count(*) FROM daily_activity_metrics)::int AS all_metrics,
                   (SELECT sum(issues_opened) FROM daily_activity_metrics)::int AS opened
            """).first)
        let dry = try operations.cleanup(dryRun: true)
        #expect(dry.counts.expiredCacheEntries == (try expected.decode("cache", as: Int.self)))
        #expect(dry.counts.archivedMetrics == (try expected.decode("metrics", as: Int.self)))
        #expect(dry.outcome.actionId == nil)
        #expect(dry.counts.expiredCacheEntries > 0 && dry.counts.archivedMetrics > 0)

        let real = try operations.cleanup()
        #expect(real.counts == dry.counts)
        let after = try #require(try connection.query("""
            SELECT (SELECT count(*) FROM workspace_issues_cache WHERE expires_at < now() - interval '7 days')::int AS cache,
                   (SELECT count(*) FROM daily_activity_metrics WHERE date < current_date - 90)::int AS old,
                   (SELECT count(*) FROM daily_activity_metrics)::int + (SELECT count(*) FROM daily_activity_metrics_archive)::int AS total,
                   ((SELECT sum(issues_opened) FROM daily_activity_metrics) + (SELECT sum(issues_opened) FROM daily_activity_metrics_archive))::int AS opened
            """).first)
        #expect(try after.decode("cache", as: Int.self) == 0)
        #expect(try after.decode("old", as: Int.self) == 0)
        #expect(try after.decode("total", as: Int.self) == (try expected.decode("all_metrics", as: Int.self)))
        #expect(try after.decode("opened", as: Int.self) == (try expected.decode("opened", as: Int.self)))
        #expect(try operations.cleanup().counts == CleanupCounts(expiredCacheEntries: 0, archivedMetrics: 0))
    }

    @Test(arguments: DatabaseShape.allCases) func cleanupPrunesOnlyOldHistoryOfWsyncItself(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let count = { (sql: SQL) in try connection.query(sql)[0].decode("n", as: Int.self) }
        let (observations, runs) = (try count("SELECT count(*)::int AS n FROM wsync.rate_limit_observations"),
                                    try count("SELECT count(*)::int AS n FROM wsync.sync_runs"))
        #expect(observations > 0 && runs > 0)
        _ = try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, resource, limit_total, remaining, used, reset_at)
            SELECT now() - d * interval '1 day', 'core', 5000, 4000, 1000, now() FROM generate_series(8, 10) AS d
            """)
        _ = try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, trigger, started_at, finished_at,
                                         duration_ms, api_calls, not_modified, pages, issues_fetched, issues_stored, status)
            SELECT job_id, workspace_id, repository_id, worker_id, trigger, started_at - interval '91 days',
                   finished_at - interval '91 days', duration_ms, api_calls, not_modified, pages, issues_fetched, issues_stored, status
            FROM wsync.sync_runs LIMIT 4
            """)
        let dry = try operations.cleanup(dryRun: true).counts
        #expect(dry.prunedRateLimitObservations == 3 && dry.prunedSyncRuns == 4)
        #expect(try operations.cleanup().counts == dry)
        #expect(try count("SELECT count(*)::int AS n FROM wsync.rate_limit_observations") == observations)
        #expect(try count("SELECT count(*)::int AS n FROM wsync.sync_runs") == runs)
    }

    @Test(arguments: DatabaseShape.allCases) func cleanupCreatesAMissingArchiveTable(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        try connection.execute("DROP TABLE daily_activity_metrics_archive")
        let moved = try operations.cleanup().counts.archivedMetrics
        #expect(moved > 0)
        #expect(try connection.query("SELECT count(*)::int AS n FROM daily_activity_metrics_archive")[0].decode("n", as: Int.self) == moved)
    }

    @Test(arguments: DatabaseShape.allCases) func cleanupFailingHalfWayLeavesEverythingAsItWas(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        // The archive rejects inserts, so the failure comes after the cache rows were already deleted in the transaction.
        try connection.executeScript("""
            CREATE FUNCTION reject_archive() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'archive is full'; END $$;
            CREATE TRIGGER reject_archive BEFORE INSERT ON daily_activity_metrics_archive
                FOR EACH ROW EXECUTE FUNCTION reject_archive();
            """)
        let fingerprint: SQL = """
            SELECT (SELECT count(*) FROM workspace_issues_cache)::int AS cache, (SELECT count(*) FROM daily_activity_metrics)::int AS metrics,
                   (SELECT count(*) FROM daily_activity_metrics_archive)::int AS archive, (SELECT count(*) FROM wsync.audit_log)::int AS audit
            """
        let before = try connection.query(fingerprint)[0]
        #expect(throws: PostgresError.self) { try operations.cleanup() }
        let after = try connection.query(fingerprint)[0]
        for column in ["cache", "metrics", "archive"] {
            #expect(try before.decode(column, as: Int.self) == after.decode(column, as: Int.self), "\(column)")
        }
        // The attempt is logged as failed, with the error; it changed nothing.
        #expect(try after.decode("audit", as: Int.self) == before.decode("audit", as: Int.self) + 1)
        let entry = try #require(try AuditLog.entries(connection, limit: 1).first)
        #expect(entry.action == "cleanup" && entry.result == "failed" && entry.affectedRows == 0)
        #expect(entry.error?.contains("archive is full") == true, "\(String(describing: entry.error))")
    }

    @Test(arguments: DatabaseShape.allCases) func linkCreatesMissingJobsWithTierDefaultsAndIsIdempotent(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let missing = try connection.query("""
            SELECT wr.workspace_id, w.tier FROM workspace_repositories wr JOIN workspaces w ON w.id = wr.workspace_id
            WHERE NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                              WHERE wtr.workspace_id = wr.workspace_id AND tr.repository_id = wr.repository_id)
            """)
        // A repository that nobody tracks yet needs its tracked_repositories row too (added by the app, whose
        // adder's account is gone: added_by NULL).
        try SyncSeeding.actAsApp(connection, user: try SyncSeeding.owner(connection))
        try connection.execute("""
            WITH r AS (INSERT INTO repositories (github_id, full_name, owner, name) VALUES (1, 'new/repo', 'new', 'repo') RETURNING id)
            INSERT INTO workspace_repositories (workspace_id, repository_id)
            SELECT (SELECT id FROM workspaces WHERE tier = \(shape.topTier) LIMIT 1), id FROM r
            """)
        let outcome = try operations.link()
        #expect(outcome.affectedRows == missing.count + 1)
        #expect(outcome.summary.contains("1 repository newly tracked"))
        let newJob = try #require(try connection.query("""
            SELECT wtr.sync_frequency_hours, wtr.priority_score FROM workspace_tracked_repositories wtr
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
            WHERE r.full_name = 'new/repo'
            """).first)
        #expect(try newJob.decode("sync_frequency_hours", as: Int.self) == Tier(rawValue: shape.topTier).defaults.frequencyHours)
        #expect(try newJob.decode("priority_score", as: Int.self) == Tier(rawValue: shape.topTier).defaults.priority)
        #expect(try operations.link().affectedRows == 0)
    }

    /// An older hand-made shape (no added_by at all); production's own is covered by the production-shape tests.
    @Test func linkWorksOnTablesWithoutAddedByAndWithNulls() throws {
        let connection = try SyncSeeding.seededDatabase(.fresh)
        let operations = Operations(connection: connection, actor: "tester")
        try connection.executeScript("""
            ALTER TABLE workspace_repositories DROP COLUMN added_by;
            ALTER TABLE repositories ALTER has_issues DROP NOT NULL;
            ALTER TABLE repositories ALTER has_issues DROP DEFAULT
            """)
        try connection.execute("""
            WITH r AS (INSERT INTO repositories (github_id, full_name, owner, name, has_issues)
                       VALUES (2, 'legacy/repo', 'legacy', 'repo', NULL) RETURNING id)
            INSERT INTO workspace_repositories (workspace_id, repository_id) SELECT (SELECT id FROM workspaces LIMIT 1), id FROM r
            """)
        #expect(try operations.link().affectedRows >= 1)
        let job = try #require(try connection.query("""
            SELECT wtr.fetch_issues, wtr.added_by, w.owner_id FROM workspace_tracked_repositories wtr
            JOIN workspaces w ON w.id = wtr.workspace_id
            JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
            WHERE r.full_name = 'legacy/repo'
            """).first)
        #expect(try job.decode("fetch_issues", as: Bool.self))
        // No adder recorded: the workspace's owner added it.
        #expect(try job.decode("added_by", as: UUID?.self) == (try job.decode("owner_id", as: UUID?.self)))
    }

    @Test(arguments: DatabaseShape.allCases) func rollbackDisablesEverythingAndDropsOnlyWithTheDatabaseName(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let refused = #expect(throws: WSyncError.self) { try operations.rollback(dropTables: true, confirmDatabase: "wrong") }
        #expect(refused?.input == .confirmDatabase && refused?.cause.contains(connection.databaseName) == true)
        #expect(try connection.jobs().contains { $0.active == true })
        let outcome = try operations.rollback()
        #expect(try connection.jobs().allSatisfy { $0.active != true })
        #expect(try PauseState.fetch(connection).isPaused)
        _ = try operations.resume()
        #expect(try connection.jobs().contains { $0.active == true })
        _ = try operations.rollback(dropTables: true, confirmDatabase: connection.databaseName)
        let tables = try connection.query("SELECT to_regclass('workspace_tracked_repositories') IS NULL AS gone")[0]
        #expect(try tables.decode("gone", as: Bool.self))
        #expect(outcome.actionId != nil)
    }

    @Test(arguments: DatabaseShape.allCases) func checkAlertsAboveTheThreshold(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let failing = try connection.query("""
            SELECT COUNT(*)::int AS n FROM workspace_tracked_repositories WHERE last_sync_status = 'failed' AND sync_attempts > 3
            """)[0].decode("n", as: Int.self)
        let alert = try SyncAlert.fetch(connection, maxFailed: failing - 1, minAttempts: 3)
        #expect(alert.failing == failing && alert.isAlerting && alert.message.hasPrefix("ALERT: \(failing) "))
        #expect(try !SyncAlert.fetch(connection, maxFailed: failing, minAttempts: 3).isAlerting)
    }

    @Test(arguments: DatabaseShape.allCases) func badInputIsRefusedWithoutAnyChange(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "tester")
        let before = try connection.jobs()
        let auditBefore = try AuditLog.entries(connection, limit: 1000).count
        let unknownWorkspace = UUID()
        let attempts: [(WSyncError.Kind, WSyncError.Input?, () throws -> Any)] = [
            (.notFound, nil, { try operations.reset(.workspace(unknownWorkspace)) }),
            (.invalidInput, .workspace, { try JobSelector(workspace: "not-a-uuid", repository: nil, allFailed: false) }),
            (.invalidInput, .repository, { try JobSelector(workspace: UUID().uuidString, repository: "justname", allFailed: false) }),
            (.notFound, nil, { try operations.reset(.workspaceRepository(workspace: try connection.firstWorkspace(), repository: "no/such")) }),
            (.invalidInput, .tier, { try Tier.validated("gold", on: connection) }),
            (.invalidInput, .tier, { try operations.pauseTier(Tier(rawValue: "gold")) }),
            (.invalidInput, .hours, { try operations.setFrequency(tier: .pro, hours: 169) }),
            (.invalidInput, .hours, { try operations.setFrequency(tier: .pro, hours: 0) }),
            (.invalidInput, .days, { try operations.setRetention(days: 6) }),
            (.invalidInput, .days, { try operations.setRetention(days: 366) }),
            (.invalidInput, .minHours, { try operations.slowDown(minHours: 200) }),
            (.invalidInput, .factor, { try operations.slowDown(factor: 0.5) }),
            (.invalidInput, .limit, { try operations.pauseTier(.free, limit: 0) }),
            (.invalidInput, .reason, { try operations.stopAll(reason: "  ") }),
            (.invalidInput, .actor, { try Operations(connection: connection, actor: " ").reset(.allFailed) }),
            (.notFound, nil, { try operations.undo(actionID: 424_242) }),
        ]
        for (kind, input, attempt) in attempts {
            do {
                _ = try attempt()
                Issue.record("expected a refusal (\(kind), \(String(describing: input)))")
            } catch let error as WSyncError {
                #expect(error.kind == kind && error.input == input, "\(error)")
                #expect(!error.cause.contains("\n"))
                // The engine speaks its own terms: which flag or key fixes it is each face's to say.
                #expect(!error.cause.contains("--"), "\(error.cause)")
            }
        }
        #expect(try connection.jobs() == before)
        #expect(try AuditLog.entries(connection, limit: 1000).count == auditBefore)
    }

    struct Job: Equatable {
        // Optional: the raw columns, NULLs and all, so that an undo is seen to restore a NULL too.
        var id: UUID, workspace: UUID, active: Bool?, hours: Int?, retention: Int?, attempts: Int?, error: String?,
            next: Date?, status: String?
        func dueWithinSeconds(_ seconds: Double) -> Bool { next.map { abs($0.timeIntervalSinceNow) < seconds } ?? false }
    }
}

private extension Connection {
    func firstWorkspace() throws -> UUID {
        try query("SELECT id FROM workspaces ORDER BY slug LIMIT 1")[0].decode("id", as: UUID.self)
    }

    func jobs() throws -> [OperationTests.Job] {
        try query("""
            SELECT id, workspace_id, is_active, sync_frequency_hours, data_retention_days, sync_attempts, last_sync_error,
                   next_sync_at, last_sync_status
            FROM workspace_tracked_repositories ORDER BY id
            """).map {
            OperationTests.Job(id: try $0.decode("id"), workspace: try $0.decode("workspace_id"), active: try $0.decode("is_active"),
                hours: try $0.decode("sync_frequency_hours"), retention: try $0.decode("data_retention_days"),
                attempts: try $0.decode("sync_attempts"), error: try $0.decode("last_sync_error"),
                next: try $0.decode("next_sync_at"), status: try $0.decode("last_sync_status"))
        }
    }
}
