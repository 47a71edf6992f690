import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// `wsync dash --read-only` against a real hot-standby replica (pg_basebackup of a throwaway primary, streaming):
/// the dashboard polls there (a standby refuses LISTEN), shows what the primary writes, refuses every mutating key,
/// and a write that reaches the server anyway fails there.
@Suite(.serialized) struct ReadOnlyTests {
    @Test func theReadOnlyDashboardWorksOnAHotStandby() throws {
        let primary = try ThrowawayCluster(prefix: "wsync-test-primary")
        defer { primary.stop() }
        let name = "wsync_replicated"
        try Connection(primary.configuration()).execute("CREATE DATABASE \(identifier: SQLIdentifier(name))")
        let writer = try Connection(primary.configuration(database: name))
        _ = try Migrator(connection: writer).migrate()
        try DemoSeed.seed(writer)
        let standby = try ThrowawayCluster.standby(of: primary)
        defer { standby.stop() }
        let replica = try Connection(standby.configuration(database: name))
        #expect(try replica.query("SELECT pg_is_in_recovery() AS r")[0].decode("r", as: Bool.self), "a standby in recovery")
        #expect(throws: PostgresError.self) { try replica.execute("LISTEN wsync_events") }

        // The command line reads there; a change is refused by the server with one line.
        let status = try WSyncProcess.run(["status", "--json"], databaseURL: standby.url(database: name))
        #expect(status.status == 0, "\(status.output)")
        let reset = try WSyncProcess.run(["reset", "--all-failed", "--yes"], databaseURL: standby.url(database: name))
        #expect(reset.status == 2 && reset.stderr.contains("read-only"), "\(reset.output)")
        #expect(reset.stderr.split(separator: "\n").count == 1)

        let session = try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--read-only", "--interval", "1"],
                                      width: 120, height: 40, environment: ["DATABASE_URL": standby.url(database: name)])
        defer { session.close() }
        let (up, first) = try session.waitFor(timeout: 30) { $0.contains("[RO]") && $0.contains("2 Failed syncs") }
        #expect(up, "the dashboard came up on the standby:\n\(first)")
        let (polling, notice) = try session.waitFor(timeout: 10) { $0.contains("hot standby") }
        #expect(polling, "it says it polls:\n\(notice)")
        #expect(!first.contains("DISCONNECTED"), "\(first)")

        // What the primary writes shows on the standby's dashboard without a notification.
        try writer.execute("""
            UPDATE workspace_tracked_repositories SET last_sync_error = 'replicated-marker-14'
            WHERE id = (SELECT id FROM workspace_tracked_repositories WHERE last_sync_status = 'failed' ORDER BY sync_attempts DESC, id LIMIT 1)
            """)
        try session.send("2")
        let (replicated, shown) = try session.waitFor(timeout: 20) { $0.contains("replicated-marker-14") }
        #expect(replicated, "the primary's change reached the standby's dashboard:\n\(shown)")

        // Every mutating key is refused in the session, on the panes where it would act.
        for (pane, keys) in [("2", ["r", "R", "s", "S", "X", "u"]), ("4", ["L"])] {
            try session.send(pane)
            for key in keys {
                try session.send(key)
                let (refused, screen) = try session.waitFor(timeout: 5) { $0.contains("read-only session: \(key) ") }
                #expect(refused, "\(key) was refused:\n\(screen)")
                try session.send("Escape")
            }
        }
        try session.send("q")
        let (quit, last) = try session.waitFor(timeout: 10) { $0.contains("[exited 0]") }
        #expect(quit, "\(last)")

        // Without --read-only the dashboard works on the standby too (it polls), and a write fails in the server.
        let writable = try TmuxSession(command: [WSyncProcess.binary.path, "dash", "--interval", "1"],
                                       width: 120, height: 40, environment: ["DATABASE_URL": standby.url(database: name)])
        defer { writable.close() }
        let (rw, screen) = try writable.waitFor(timeout: 30) { $0.contains("[RW]") && $0.contains("2 Failed syncs") }
        #expect(rw, "\(screen)")
        try writable.send("2")
        try writable.send("R")
        _ = try writable.waitFor(timeout: 5) { $0.contains("y yes") }
        try writable.send("y")
        let (failed, after) = try writable.waitFor(timeout: 15) { $0.contains("read-only transaction") }
        #expect(failed, "the server refused the write:\n\(after)")
        #expect(try writer.query("SELECT count(*)::int AS n FROM wsync.audit_log")[0].decode("n", as: Int.self) == 0)
    }
}
