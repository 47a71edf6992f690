import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// The real `wsync` binary against a seeded throwaway database: exit codes, one-line errors, JSON fields.
@Suite struct CommandLineTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.create()
        try DemoSeed.seed(database.connect())
    }

    private func wsync(_ arguments: String...) throws -> WSyncProcess.Result {
        try WSyncProcess.run(arguments, databaseURL: database.url)
    }

    @Test func statusJSONHasTheGuidesHealthFields() throws {
        let result = try wsync("status", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let health = try #require(object["health"] as? [String: Any])
        #expect(Set(health.keys) == ["total_workspaces", "successful", "failed", "avg_hours_since_sync"])
        for key in ["partial", "never_synced", "due_now", "syncing_now", "pause", "freshness", "throughput"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(try wsync("status").stdout.contains("avg_hours_since_sync"))
    }

    @Test func stuckAndFailedJSONUseTheContractsFields() throws {
        let stuck = try #require(try JSONSerialization.jsonObject(with: Data(try wsync("stuck", "--json", "--limit", "3").stdout.utf8)) as? [[String: Any]])
        #expect(stuck.count == 3)
        #expect(stuck.allSatisfy { $0["full_name"] != nil && $0.keys.contains("last_sync_at") && $0["sync_attempts"] != nil })
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(try wsync("failed", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0["workspace"] != nil && $0["repository"] != nil && $0.keys.contains("last_sync_error") })
        let attempts = failed.compactMap { $0["sync_attempts"] as? Int }
        #expect(attempts == attempts.sorted(by: >))
    }

    @Test func hostileErrorTextIsEscapedInTables() throws {
        let table = try wsync("failed").stdout
        #expect(!table.contains("\u{1B}"))
    }

    @Test func checkExitsOneWithAnAlertLine() throws {
        let alerting = try wsync("check", "--max-failed", "0", "--min-attempts", "0")
        #expect(alerting.status == 1)
        #expect(alerting.stdout.hasPrefix("ALERT: "))
        #expect(alerting.stdout.split(separator: "\n").count == 1)
        let healthy = try wsync("check", "--max-failed", "100000")
        #expect(healthy.status == 0)
        #expect(healthy.stdout.hasPrefix("OK: "))
        let quiet = try wsync("check", "--max-failed", "100000", "--quiet")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)")
        let quietAlert = try wsync("check", "--max-failed", "0", "--min-attempts", "0", "--quiet")
        #expect(quietAlert.status == 1 && quietAlert.stdout.hasPrefix("ALERT: "))
    }

    @Test func checkRepairsADriftedDashboardRollupAndSaysSo() throws {
        let connection = try database.connect()
        try connection.execute("SET session_replication_role = replica")
        try connection.execute("UPDATE workspace_tracked_repositories SET total_issues_fetched = total_issues_fetched + 1")
        try connection.execute("RESET session_replication_role")
        let repaired = try wsync("check", "--max-failed", "100000", "--quiet")
        #expect(repaired.status == 0)
        let lines = repaired.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("REPAIRED: ") && $0.contains("issues") }, "\(repaired.stdout)")
        #expect(try DashboardRollup.drift(connection) == [])
        let again = try wsync("check", "--max-failed", "100000", "--quiet")
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stdout)")
    }

    @Test func checkRunsTheNotifyCommandWithTheAlertOnStdin() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("alert-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try wsync("check", "--max-failed", "0", "--min-attempts", "0", "--notify-command", "cat > '\(file)'")
        #expect(result.status == 1)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("ALERT: "))
    }

    @Test func stopAllAndResumeThroughTheCLI() throws {
        let stop = try wsync("stop-all", "--reason", "incident 42", "--yes", "--actor", "oncall")
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.contains("stopped"))
        let status = try #require(try JSONSerialization.jsonObject(with: Data(try wsync("status", "--json").stdout.utf8)) as? [String: Any])
        #expect((status["pause"] as? [String: Any])?["is_paused"] as? Bool == true)
        let resume = try wsync("resume", "--yes", "--actor", "oncall")
        #expect(resume.status == 0, "\(resume.stderr)")
        let audit = try #require(try JSONSerialization.jsonObject(with: Data(try wsync("audit", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(audit.prefix(2).compactMap { $0["action"] as? String } == ["resume", "stop-all"])
        #expect(audit.prefix(2).allSatisfy { $0["actor"] as? String == "oncall" })
    }

    /// One sanitizer for everything that reaches a terminal: tables and the error line alike.
    @Test func hostileTextIsEscapedInTablesAndErrors() throws {
        let hostile = "evil\u{1B}[31m\u{202E}txt\u{9B}"
        try database.connect().execute("""
            UPDATE workspace_tracked_repositories SET last_sync_error = \(hostile)
            WHERE id = (SELECT id FROM workspace_tracked_repositories WHERE last_sync_status = 'failed' ORDER BY id LIMIT 1)
            """)
        let failed = try WSyncProcess.run(["failed"], databaseURL: database.url)
        let refused = try WSyncProcess.run(["pause-tier", hostile, "--yes"], databaseURL: database.url)
        #expect(refused.status == 2)
        for output in [failed.stdout, refused.stderr] {
            #expect(output.contains("evil\\e[31m\\u{202E}txt\\x9B"), "\(output)")
            #expect(!output.unicodeScalars.contains { [0x1B, 0x202E, 0x9B].contains($0.value) })
        }
    }

    @Test func badInputIsOneLineAndExitTwo() throws {
        let cases: [([String], String)] = [
            (["reset", "--workspace", "nope", "--yes"], "is not a UUID"),
            (["reset", "--workspace", UUID().uuidString, "--yes"], "no workspace has id"),
            (["reset", "--yes"], "--all-failed"),
            (["pause-tier", "gold", "--yes"], "unknown tier"),
            (["set", "frequency", "--tier", "pro", "--hours", "200", "--yes"], "1 to 168"),
            (["set", "retention", "--days", "3", "--yes"], "7 to 365"),
            (["undo", "987654", "--yes"], "no action has id 987654"),
            (["rollback", "--drop-tables", "--yes"], "--confirm-database"),
            (["retry", "--workspace", UUID().uuidString, "--yes"], "no workspace has id"),
            (["failed", "--workspace", UUID().uuidString], "no workspace has id"),
            (["reset", "--workspace", UUID().uuidString, "--repo", "a/b", "--yes"], "no workspace has id"),
        ]
        let before = try database.connect().query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self)
        for (arguments, expected) in cases {
            let result = try WSyncProcess.run(arguments, databaseURL: database.url)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
        #expect(try database.connect().query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self) == before)
        #expect(try database.connect().query("SELECT to_regclass('workspace_tracked_repositories') IS NOT NULL AS here")[0].decode("here", as: Bool.self))
    }

    @Test func malformedOptionValuesAreUsageErrors() throws {
        let result = try wsync("stuck", "--older-than", "soon")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("wsync: "), "\(result.stderr)")
        #expect(result.stderr.contains("'soon' is invalid for '--older-than"), "\(result.stderr)")
        #expect(result.stderr.contains("wsync stuck --help"), "\(result.stderr)")
        #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func anUnmigratedDatabaseSaysToMigrate() throws {
        let empty = try TestDatabase.create(migrated: false)
        let result = try WSyncProcess.run(["status"], databaseURL: empty.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("run wsync migrate first"), "\(result.stderr)")
    }

    @Test func outOfRangeNumbersAreRefusedBeforeConnecting() throws {
        let cases: [([String], String)] = [
            (["stuck", "--limit", "0"], "--limit must be at least 1"),
            (["audit", "--limit=-3"], "--limit must be at least 1"),
            (["pause-tier", "pro", "--limit", "0", "--yes"], "--limit must be at least 1"),
            (["check", "--max-failed=-1"], "--max-failed must be 0 or more"),
            (["report", "frequencies", "--min-issues=-5"], "--min-issues must be 0 or more"),
        ]
        for (arguments, expected) in cases {
            // No database listens there: the refusal must come from validation, before any connection.
            let result = try WSyncProcess.run(arguments, databaseURL: "postgresql:///nowhere?host=/nonexistent")
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }

    @Test func unreachableDatabaseNamesHostAndDatabaseButNoPassword() throws {
        let result = try WSyncProcess.run(["status"], databaseURL: "postgresql://ops:s3cret-pw@127.0.0.1:1/inventory?connect_timeout=2")
        #expect(result.status == 2)
        #expect(result.stderr.contains("database \"inventory\" at 127.0.0.1:1"))
        #expect(!result.stderr.contains("s3cret-pw"))
        #expect(result.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1)
        let check = try WSyncProcess.run(["check"], databaseURL: "postgresql://ops:s3cret-pw@127.0.0.1:1/inventory?connect_timeout=2")
        #expect(check.status == 2 && check.stdout.isEmpty && check.stderr.contains("database \"inventory\" at 127.0.0.1:1"))
    }

    @Test func exportIsRFC4180WithAHeader() throws {
        let result = try wsync("export", "--since", "7d")
        #expect(result.status == 0)
        let lines = result.stdout.components(separatedBy: "\r\n")
        #expect(lines.first == "workspace,repository,last_sync_at,total_issues_fetched,priority_score")
        #expect(lines.count > 2 && lines.last == "")
    }

    @Test func exportWritesTheFileItIsGiven() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try wsync("export", "--since", "24h", "--output", file)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try SyncExportRow.fetch(database.connect(), since: .hours(24))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == CSV.document(rows))
        #expect(result.stdout.contains("wrote \(rows.count) rows"))
        let unwritable = try wsync("export", "--output", "/nonexistent-dir/x.csv")
        #expect(unwritable.status == 2 && unwritable.stderr.contains("cannot write /nonexistent-dir/x.csv"))
    }

    @Test func reportsPrintJSONAndCSV() throws {
        for report in ["weekly", "tiers", "perf", "cost", "frequencies"] {
            let json = try wsync("report", report, "--json")
            #expect(json.status == 0, "\(report): \(json.stderr)")
            #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(report)")
            let csv = try wsync("report", report, "--csv")
            #expect(csv.status == 0 && csv.stdout.contains("\r\n"), "\(report)")
        }
        let byTier = try #require(try JSONSerialization.jsonObject(with: Data(try wsync("report", "tiers", "--by-tier", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(byTier.compactMap { $0["tier"] as? String } == ["team", "pro", "free"])
        #expect(byTier.allSatisfy { $0["estimated_monthly_api_calls"] != nil && $0["repositories_allowed"] != nil })
    }
}
