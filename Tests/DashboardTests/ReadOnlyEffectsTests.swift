import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport
@testable import Dashboard

/// `--read-only` is enforced by PostgreSQL itself: every engine operation the dashboard can start, run on the
/// dashboard's read-only session, is refused by the server (SQLSTATE 25006) and changes nothing — whatever path the
/// write takes, and whatever the connection string's own `options` say.
@Suite struct ReadOnlyEffectsTests {
    static func fingerprint(_ connection: Connection) throws -> String {
        try connection.query("""
            SELECT concat_ws('|',
                (SELECT md5(coalesce(string_agg(w::text, ',' ORDER BY w.id), '')) FROM workspace_tracked_repositories w),
                (SELECT count(*) FROM wsync.audit_log), (SELECT count(*) FROM wsync.sync_runs),
                (SELECT count(*) FROM wsync.workers), (SELECT is_paused::text FROM wsync.pause)) AS f
            """)[0].decode("f", as: String.self)
    }

    @Test func everyOperationFailsInTheServerOnAReadOnlySession() async throws {
        let database = try TestDatabase.create()
        let writer = try database.connect()
        try DemoSeed.seed(writer)
        let stop = try Operations(connection: writer, actor: "setup").stopAll(reason: "to have something to undo")
        _ = try Operations(connection: writer, actor: "setup").resume()
        let row = try writer.query("""
            SELECT wtr.id, wtr.workspace_id FROM workspace_tracked_repositories wtr ORDER BY wtr.id LIMIT 1
            """)[0]
        let ref = RowRef(jobId: try row.decode("id"), workspaceId: try row.decode("workspace_id"), workspace: "w", repository: "o/r")
        let before = try Self.fingerprint(writer)

        var configuration = database.configuration
        configuration.readOnly = true
        let effects = DatabaseEffects(configuration: configuration,
                                      github: .success(GitHubConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!)),
                                      actor: "read-only", interval: 2)
        let session = try Connection(configuration)
        let operations: [Dashboard.Operation] = [.reset([ref]), .reset([ref, ref]), .resetAllFailed, .stopAll(reason: "not allowed"), .slowDown,
                                       .undo(UndoableAction(actionId: stop.actionId!, summary: "stop"))]
        for operation in operations {
            let error = #expect(throws: PostgresError.self, "\(operation)") { try effects.perform(operation, on: session) }
            #expect(error?.sqlState == .readOnlySQLTransaction, "\(operation): \(String(describing: error))")
        }
        // A manual sync (s, S) on a read-only session: its first write fails before any GitHub request.
        await #expect(throws: PostgresError.self) {
            _ = try await ManualSync(database: configuration, github: GitHubConfiguration(baseURL: URL(string: "http://127.0.0.1:9")!))
                .syncNow(SyncSelection(jobIDs: [ref.jobId]), actor: "read-only")
        }
        // Through the command path the dashboard itself uses, the effects refuse before the server would.
        let inbox = EventInbox()
        effects.start(posting: inbox)
        defer { effects.stop() }
        effects.handle(.perform(.resetAllFailed))
        let deadline = Date().addingTimeInterval(10)
        var refusal: String?
        while refusal == nil, Date() < deadline {
            for case .operationFailed(_, let message) in inbox.drain() { refusal = message }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(refusal == "read-only session: nothing was changed")
        #expect(try Self.fingerprint(writer) == before, "nothing changed")
    }

    /// A connection string may carry `options` of its own, which replace the startup options libpq is given: the
    /// session is made read-only after it connects as well, so such a string cannot turn it writable.
    @Test func aConnectionStringsOwnOptionsCannotMakeItWritable() throws {
        let database = try TestDatabase.create()
        let url = database.url + "&options=" + "-c default_transaction_read_only=off".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let session = try Connection(ConnectionConfiguration(conninfo: url, readOnly: true))
        #expect(try session.query("SHOW default_transaction_read_only")[0].decode(0, as: String.self) == "on")
        let error = #expect(throws: PostgresError.self) {
            try session.execute("UPDATE workspace_tracked_repositories SET sync_attempts = 0")
        }
        #expect(error?.sqlState == .readOnlySQLTransaction)
        let writable = try Connection(ConnectionConfiguration(conninfo: url))
        #expect(try writable.query("SHOW default_transaction_read_only")[0].decode(0, as: String.self) == "off")
        // The session still runs in UTC, as every wsync session does.
        #expect(try writable.query("SHOW TimeZone")[0].decode(0, as: String.self) == "UTC")
    }
}
