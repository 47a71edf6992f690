import Foundation
import Postgres
import Testing
import TestSupport

@Suite struct ErrorAndTransactionTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.create(migrated: false).connect()
        try connection.executeScript("CREATE TABLE things (id integer PRIMARY KEY, size integer CHECK (size > 0))")
    }

    @Test func uniqueAndCheckViolationsCarrySQLState() throws {
        try connection.execute("INSERT INTO things VALUES (\(1), \(5))")
        let duplicate = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO things VALUES (\(1), \(5))") }
        #expect(duplicate?.sqlState == .uniqueViolation)
        let check = #expect(throws: PostgresError.self) { try connection.execute("INSERT INTO things VALUES (\(2), \(-1))") }
        #expect(check?.sqlState == .checkViolation)
        if case .server(let server) = check {
            #expect(server.constraint == "things_size_check")
        } else {
            Issue.record("expected a server error")
        }
    }

    @Test func transactionRollsBackOnAnyThrownError() throws {
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.execute("INSERT INTO things VALUES (\(1), \(1))")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) AS n FROM things").first?.decode("n", as: Int.self) == 0)
        let committed = try connection.transaction { connection in
            try connection.execute("INSERT INTO things VALUES (\(2), \(1))")
        }
        #expect(committed == 1)
        #expect(try connection.query("SELECT count(*) AS n FROM things").first?.decode("n", as: Int.self) == 1)
    }

    @Test func listenReceivesNotify() throws {
        let database = try TestDatabase.create(migrated: false)
        let listener = try database.connect()
        try listener.listen("wsync_events")
        #expect(try listener.waitForNotification(timeout: 0.2) == nil)
        try database.connect().notify("wsync_events", payload: "sync finished")
        let notification = try listener.waitForNotification(timeout: 5)
        #expect(notification?.channel == "wsync_events")
        #expect(notification?.payload == "sync finished")
    }

    @Test func readOnlySessionsRefuseWrites() throws {
        let database = try TestDatabase.create(migrated: false)
        try database.connect().executeScript("CREATE TABLE t (x integer)")
        let readOnly = try database.connect(readOnly: true)
        let error = #expect(throws: PostgresError.self) { try readOnly.execute("INSERT INTO t VALUES (\(1))") }
        #expect(error?.sqlState == .readOnlySQLTransaction)
    }

    @Test func passwordsNeverAppearInErrors() throws {
        let secret = "s3cr3t-Pa55word"
        let configuration = ConnectionConfiguration(conninfo: "postgresql://alice:\(secret)@127.0.0.1:1/inventory?connect_timeout=2")
        do {
            _ = try Connection(configuration)
            Issue.record("nothing listens on port 1")
        } catch {
            let text = "\(error)"
            #expect(!text.contains(secret))
            #expect(text.contains("database \"inventory\" at 127.0.0.1:1"))
        }
        #expect(!configuration.displayTarget.contains(secret))
    }

    /// The dashboard's copied command lines name the database without its password, in a form libpq reads back.
    @Test func conninfoWithoutPasswordKeepsEverythingElse() throws {
        let secret = "s3cr3t-Pa55word"
        let url = ConnectionConfiguration(conninfo: "postgresql://alice:\(secret)@db.internal:5433/inventory?sslmode=require")
        #expect(url.conninfoWithoutPassword == "host=db.internal port=5433 dbname=inventory user=alice sslmode=require")
        let spaced = ConnectionConfiguration(conninfo: "host=/tmp/my sock dbname='it''s' password=\(secret)")
        #expect(spaced.conninfoWithoutPassword == nil || !spaced.conninfoWithoutPassword!.contains(secret))
        let quoted = ConnectionConfiguration(conninfo: "host='/tmp/my sock' dbname='o\\'brien' password=\(secret)")
        #expect(quoted.conninfoWithoutPassword == "host='/tmp/my sock' dbname='o\\'brien'")
        #expect(ConnectionConfiguration(conninfo: nil).conninfoWithoutPassword == nil)
    }

    /// libpq quotes a string it cannot parse in its complaint; the password must be scrubbed from it all the same.
    @Test(arguments: [
        ("postgres://bob:s3cretpw@[::1/db", "s3cretpw"),
        ("postgresql://bob:s3cret%zz@h/db", "s3cret%zz"),
        ("host=h dbname=db password='se cret' bogus", "se cret"),
    ])
    func passwordsOfUnparsableStringsNeverAppearInErrors(conninfo: String, secret: String) throws {
        let configuration = ConnectionConfiguration(conninfo: conninfo)
        do {
            _ = try Connection(configuration)
            Issue.record("\(conninfo) should not connect")
        } catch {
            #expect(!"\(error)".contains(secret), "\(error)")
        }
        #expect(!configuration.displayTarget.contains(secret))
    }
}

@Suite(.serialized) struct LostConnectionTests {
    @Test func stoppingTheServerIsReportedAsLostConnection() throws {
        let cluster = try ThrowawayCluster(prefix: "wsync-test-lost")
        defer { cluster.stop() }
        let connection = try Connection(cluster.configuration())
        #expect(try connection.query("SELECT 1 AS one").count == 1)
        try cluster.stopServer()
        do {
            try connection.query("SELECT 1 AS one")
            Issue.record("the server is stopped")
        } catch let error as PostgresError {
            guard case .connectionLost = error else {
                Issue.record("expected connectionLost, got \(error)")
                return
            }
        }
        #expect(!connection.isAlive)
        try cluster.startServer()
        #expect(try Connection(cluster.configuration()).query("SELECT 1 AS one").count == 1)
    }
}
