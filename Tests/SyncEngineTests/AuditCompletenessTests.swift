import Foundation
import GitHubSimulator
import Postgres
import Testing
import TestSupport
@testable import SyncEngine

/// Every engine mutation is in the audit log with its actor, its parameters and its result — and one that was
/// attempted and failed is logged as failed, with the error, while its change rolled back. Bad input and unknown
/// ids are refused before anything is attempted and leave no entry.
@Suite struct AuditCompletenessTests {
    /// Makes every update of the job rows fail in the server, as a constraint or a full disk would.
    static let breakJobUpdates: SQL = """
        CREATE FUNCTION wsync_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'injected failure for the audit test'; END $$;
        CREATE TRIGGER wsync_test_refuse BEFORE UPDATE ON workspace_tracked_repositories
            FOR EACH STATEMENT EXECUTE FUNCTION wsync_test_refuse();
        CREATE TRIGGER wsync_test_refuse_cache BEFORE DELETE ON workspace_issues_cache
            FOR EACH STATEMENT EXECUTE FUNCTION wsync_test_refuse();
        """

    static func latest(_ connection: Connection) throws -> AuditEntry {
        try #require(try AuditLog.entries(connection, limit: 1).first)
    }

    @Test(arguments: DatabaseShape.allCases) func everyOperationIsAuditedWithItsResult(shape: DatabaseShape) throws {
        let connection = try SyncSeeding.seededDatabase(shape)
        let operations = Operations(connection: connection, actor: "auditor")
        let workspace = try connection.query("SELECT workspace_id FROM workspace_tracked_repositories ORDER BY id LIMIT 1")[0]
            .decode("workspace_id", as: UUID.self)
        let tier = Tier.pro
        // (action, parameter that must be recorded, the operation)
        let mutations: [(String, String?, () throws -> Void)] = [
            ("reset", "workspace_id", { _ = try operations.reset(.workspace(workspace)) }),
            ("reset", nil, { _ = try operations.reset(.allFailed) }),
            ("slow-down", "factor", { _ = try operations.slowDown() }),
            ("pause-tier", "tier", { _ = try operations.pauseTier(tier, limit: 1) }),
            ("set-frequency", "hours", { _ = try operations.setFrequency(tier: tier, hours: 12) }),
            ("set-retention", "days", { _ = try operations.setRetention(days: 60, minTotalIssues: 0) }),
            ("link", "apply_tier_defaults", { _ = try operations.link(applyTierDefaults: true) }),
            ("stop-all", "reason", { _ = try operations.stopAll(reason: "audit drill") }),
            ("resume", nil, { _ = try operations.resume() }),
            ("cleanup", nil, { _ = try operations.cleanup() }),
        ]
        // Each succeeds and is recorded as succeeded, by its actor, with its parameters.
        for (action, parameter, mutate) in mutations {
            try mutate()
            let entry = try Self.latest(connection)
            #expect(entry.action == action && entry.actor == "auditor" && entry.result == "succeeded" && entry.error == nil, "\(entry)")
            if let parameter { #expect(entry.parameters[parameter] != nil, "\(action) records \(parameter): \(entry.parameters)") }
        }
        let undone = try operations.slowDown()
        _ = try operations.undo(actionID: undone.actionId!)
        #expect(try Self.latest(connection).action == "undo" && Self.latest(connection).parameters["action_id"] == String(undone.actionId!))
        let stop = try operations.stopAll(reason: "to resume")

        // With the server refusing the change, each is recorded as failed, with the error, and changes nothing.
        try connection.executeScript(Self.breakJobUpdates)
        let jobs: SQL = "SELECT md5(string_agg(w::text, ',' ORDER BY w.id)) AS m FROM workspace_tracked_repositories w"
        let before = try connection.query(jobs)[0].decode("m", as: String.self)
        let failing: [(String, () throws -> Void)] = mutations.map { ($0.0, $0.2) } + [
            ("undo", { _ = try operations.undo(actionID: stop.actionId!) }),
            ("rollback", { _ = try operations.rollback() }),
        ]
        var loggedFailures = 0
        for (action, mutate) in failing {
            let count = try connection.query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self)
            do {
                try mutate()
                // Link with nothing to change and a resume with nothing paused may succeed without an update.
                continue
            } catch let error as WSyncError where error.kind == .refused {
                // Refused after it was attempted (e.g. nothing to resume): logged as failed too.
            } catch {}
            let after = try connection.query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self)
            #expect(after == count + 1, "\(action): one entry for the failed attempt")
            let entry = try Self.latest(connection)
            #expect(entry.action == action && entry.actor == "auditor" && entry.result == "failed" && entry.affectedRows == 0,
                    "\(action): \(entry)")
            #expect(entry.error?.isEmpty == false, "\(action) records why")
            loggedFailures += 1
        }
        #expect(loggedFailures >= failing.count - 2, "\(loggedFailures) of \(failing.count) failed and were logged")
        #expect(try connection.query(jobs)[0].decode("m", as: String.self) == before, "nothing changed")

        // Bad input and unknown ids are not actions: no entry.
        let count = try connection.query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self)
        _ = try? operations.undo(actionID: 987_654)
        _ = try? operations.reset(.workspace(UUID()))
        _ = try? operations.stopAll(reason: "  ")
        _ = try? Operations(connection: connection, actor: " ").slowDown()
        #expect(try connection.query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self) == count)
    }

    /// A manual sync records `started` when it claims its rows and its outcome when it ends; one refused while
    /// syncing is paused is logged as failed.
    @Test func manualSyncsRecordTheirOutcome() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { [simulator = fixture.simulator] in await simulator.stop() } }
        let good = try await fixture.track("audit/good", issueCount: 3)
        let bad = try await fixture.track("audit/bad", issueCount: 3)
        try await fixture.simulator.setScenario(.validationFailed, for: "audit/bad")
        _ = try await fixture.sync(SyncSelection(jobIDs: [good]))
        var entry = try Self.latest(fixture.connection)
        #expect(entry.action == "sync" && entry.result == "succeeded" && entry.error == nil, "\(entry)")
        _ = try await fixture.sync(SyncSelection(jobIDs: [good, bad]))
        entry = try Self.latest(fixture.connection)
        #expect(entry.result == "partial" && entry.error?.isEmpty == false, "\(entry)")
        _ = try await fixture.sync(SyncSelection(jobIDs: [bad]))
        #expect(try Self.latest(fixture.connection).result == "failed")

        _ = try Operations(connection: fixture.connection, actor: "auditor").stopAll(reason: "paused for the test")
        await #expect(throws: WSyncError.self) { _ = try await fixture.sync(SyncSelection(jobIDs: [good])) }
        entry = try Self.latest(fixture.connection)
        #expect(entry.action == "sync" && entry.result == "failed" && entry.error?.contains("paused") == true, "\(entry)")
    }
}
