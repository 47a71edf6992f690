import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

/// `wsync cleanup` failing half way through its archive — a statement timeout (the role's or database's, as
/// Supabase sets them) while another session holds the archive table, and a full disk (a trigger raising SQLSTATE
/// 53100 part way through the rows, and, where the test runs as root and may mount, a real tmpfs tablespace that
/// fills up). The whole transaction rolls back: every expired cache entry, old metric, observation and run is where
/// it was, the archive holds nothing, and no audit entry claims a cleanup. The same cleanup then succeeds.
@Suite(.serialized) struct CleanupFaultTests {
    static let oldMetrics = 2_000

    /// What cleanup touches, counted, plus a digest of the metrics (so a row moved and put back would show).
    private struct Snapshot: Equatable, CustomStringConvertible {
        var cache, metrics, archive, observations, runs, cleanupEntries: Int
        var metricsDigest: String
        var description: String {
            "cache \(cache), metrics \(metrics), archive \(archive), observations \(observations), runs \(runs), cleanup entries \(cleanupEntries)"
        }
    }

    private func snapshot(_ connection: Connection) throws -> Snapshot {
        let row = try connection.query("""
            SELECT (SELECT count(*) FROM workspace_issues_cache)::int AS cache,
                   (SELECT count(*) FROM daily_activity_metrics)::int AS metrics,
                   (SELECT count(*) FROM daily_activity_metrics_archive)::int AS archive,
                   (SELECT count(*) FROM wsync.rate_limit_observations)::int AS observations,
                   (SELECT count(*) FROM wsync.sync_runs)::int AS runs,
                   (SELECT count(*) FROM wsync.audit_log WHERE action = 'cleanup' AND affected_rows > 0)::int AS entries,
                   (SELECT md5(coalesce(string_agg(id::text || date::text, ',' ORDER BY id), '')) FROM daily_activity_metrics) AS digest
            """)[0]
        return Snapshot(cache: try row.decode("cache"), metrics: try row.decode("metrics"), archive: try row.decode("archive"),
                        observations: try row.decode("observations"), runs: try row.decode("runs"),
                        cleanupEntries: try row.decode("entries"), metricsDigest: try row.decode("digest"))
    }

    /// Old metrics over five repositories, expired cache entries, old observations and old runs, beside fresh ones.
    private func seed(_ connection: Connection, metrics: Int = CleanupFaultTests.oldMetrics) throws {
        let workspace = try SyncSeeding.workspace(connection)
        var jobs: [UUID] = []
        for index in 0..<5 {
            jobs.append(try SyncSeeding.track(connection, githubID: Int64(70_000 + index), fullName: "clean/repo-\(index)", workspace: workspace))
        }
        try connection.execute("""
            INSERT INTO daily_activity_metrics (repository_id, date, issues_opened, issues_closed)
            SELECT r.id, current_date - 91 - g, 1, 1
            FROM generate_series(0, \(metrics / 5) - 1) g, (SELECT id FROM repositories WHERE full_name LIKE 'clean/%') r
            """)
        try connection.execute("""
            INSERT INTO daily_activity_metrics (repository_id, date, issues_opened) SELECT id, current_date - 3, 2 FROM repositories
            """)
        try connection.execute("""
            INSERT INTO workspace_issues_cache (workspace_id, period_start, period_end, time_range, calculated_at, expires_at)
            SELECT \(workspace), now() - g * interval '1 day' - interval '1 day', now() - g * interval '1 day', '24h',
                   now() - g * interval '1 day', now() - g * interval '1 day' + interval '1 hour'
            FROM generate_series(0, 40) g
            """)
        try connection.execute("""
            INSERT INTO wsync.rate_limit_observations (observed_at, limit_total, remaining, used, reset_at)
            SELECT now() - g * interval '1 day', 5000, 4000, 1000, now() FROM generate_series(0, 30) g
            """)
        try connection.execute("""
            INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, started_at, finished_at, status)
            SELECT wtr.id, wtr.workspace_id, tr.repository_id, 'old-worker', now() - g * interval '10 days', now() - g * interval '10 days', 'success'
            FROM generate_series(0, 20) g, workspace_tracked_repositories wtr JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
            """)
    }

    private func cleanup(_ url: String) throws -> WSyncProcess.Result {
        try WSyncProcess.run(["cleanup", "--yes", "--actor", "cleanup-fault"], databaseURL: url, timeout: 60)
    }

    /// After a failure: nothing moved. Then the same cleanup, unhindered, moves exactly the old rows.
    private func expectRolledBackThenClean(_ connection: Connection, url: String, before: Snapshot, failed: WSyncProcess.Result,
                                           _ fault: String, unhinder: () throws -> Void) throws {
        #expect(failed.status != 0, "\(fault): cleanup claimed success: \(failed.output)")
        #expect(failed.stderr.hasPrefix("wsync: "), "\(fault): not one wsync line: \(failed.output)")
        let after = try snapshot(connection)
        #expect(after == before, "\(fault): something moved half way: before \(before), after \(after)")
        try unhinder()
        let clean = try cleanup(url)
        #expect(clean.status == 0, "\(fault), then unhindered: \(clean.output)")
        let cleaned = try snapshot(connection)
        #expect(cleaned.archive == Self.oldMetrics && cleaned.metrics == before.metrics - Self.oldMetrics, "\(cleaned)")
        #expect(cleaned.metrics + cleaned.archive == before.metrics, "rows lost or doubled: \(cleaned)")
        #expect(cleaned.cleanupEntries == 1)
        #expect(cleaned.cache < before.cache && cleaned.observations < before.observations && cleaned.runs < before.runs)
    }

    @Test(arguments: DatabaseShape.allCases)
    func aStatementTimeoutWhileTheArchiveIsLockedRollsTheWholeCleanupBack(shape: DatabaseShape) throws {
        let database = try TestDatabase.create(shape: shape)
        let connection = try database.connect()
        try seed(connection)
        let before = try snapshot(connection)
        // A session doing maintenance on the archive (CREATE INDEX takes this lock), and a database whose sessions
        // may run a statement for half a second, as a managed PostgreSQL sets for its roles.
        let holder = try database.connect()
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE daily_activity_metrics_archive IN SHARE MODE")
        try connection.execute("ALTER DATABASE \(identifier: SQLIdentifier(database.name)) SET statement_timeout = '500ms'")
        let started = Date()
        let failed = try cleanup(database.url)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(failed.output.contains("statement timeout"), "\(failed.output)")
        try expectRolledBackThenClean(connection, url: database.url, before: before, failed: failed, "statement timeout") {
            try holder.execute("COMMIT")
            try connection.execute("ALTER DATABASE \(identifier: SQLIdentifier(database.name)) RESET statement_timeout")
        }
    }

    /// The disk fills after 1,200 of the 2,000 rows have gone into the archive: PostgreSQL's own "could not extend
    /// file" error, raised by a trigger, in the middle of the one statement that moves them.
    @Test(arguments: DatabaseShape.allCases)
    func aDiskThatFillsHalfWayThroughTheArchiveRollsTheWholeCleanupBack(shape: DatabaseShape) throws {
        let database = try TestDatabase.create(shape: shape)
        let connection = try database.connect()
        try seed(connection)
        let before = try snapshot(connection)
        try connection.executeScript("""
            CREATE SEQUENCE archive_rows;
            CREATE FUNCTION fill_the_disk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('archive_rows') > 1200 THEN
                    RAISE EXCEPTION 'could not extend file "base/16384/99999": No space left on device'
                        USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fill_the_disk BEFORE INSERT ON daily_activity_metrics_archive FOR EACH ROW EXECUTE FUNCTION fill_the_disk();
            """)
        let failed = try cleanup(database.url)
        #expect(failed.output.contains("No space left on device"), "\(failed.output)")
        #expect(try connection.query("SELECT last_value::int AS n FROM archive_rows")[0].decode("n", as: Int.self) > 1200,
                "the fault should strike part way through the rows")
        try expectRolledBackThenClean(connection, url: database.url, before: before, failed: failed, "disk full (trigger)") {
            try connection.execute("DROP TRIGGER fill_the_disk ON daily_activity_metrics_archive")
        }
    }

    /// Whether this process may mount a tmpfs (root, and a kernel and container that allow it).
    static let canMount: Bool = {
        guard geteuid() == 0 else { return false }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard (try? ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory])) != nil else { return false }
        _ = try? ChildProcess.run("/bin/umount", [directory])
        return true
    }()

    /// The real thing: the archive table on a 256 KB tmpfs tablespace, and 20,000 rows to move into it. PostgreSQL
    /// fails to extend the file (ENOSPC, SQLSTATE 53100) part way through.
    @Test(.enabled(if: canMount, "needs root and permission to mount a tmpfs"))
    func aRealTablespaceThatFillsUpRollsTheWholeCleanupBack() throws {
        let cluster = try ThrowawayCluster(prefix: "wsync-full-disk")
        defer { cluster.stop() }
        let mountPoint = cluster.directory + "/tiny"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        try ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", mountPoint])
        defer { _ = try? ChildProcess.run("/bin/umount", ["-l", mountPoint]) }
        try ChildProcess.run("/bin/chown", ["postgres", mountPoint])
        try Connection(cluster.configuration()).execute("CREATE DATABASE full_disk")
        let url = cluster.url(database: "full_disk")
        let connection = try Connection(cluster.configuration(database: "full_disk"))
        _ = try Migrator(connection: connection).migrate()
        try seed(connection, metrics: 20_000)
        // CREATE TABLESPACE takes its location as a literal, which wsync's SQL type never splices: psql says it.
        try ChildProcess.run("/usr/bin/env", ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cluster.conninfo(database: "full_disk"),
                                              "-c", "CREATE TABLESPACE tiny LOCATION '\(mountPoint)'"])
        try connection.execute("ALTER TABLE daily_activity_metrics_archive SET TABLESPACE tiny")
        let before = try snapshot(connection)
        let failed = try cleanup(url)
        #expect(failed.output.contains("No space left on device"), "\(failed.output)")
        #expect(failed.status != 0, "\(failed.output)")
        let after = try snapshot(connection)
        #expect(after == before, "something moved half way: before \(before), after \(after)")
        // Room again: the archive back on the main disk, and the cleanup goes through.
        try connection.execute("ALTER TABLE daily_activity_metrics_archive SET TABLESPACE pg_default")
        let clean = try cleanup(url)
        #expect(clean.status == 0, "\(clean.output)")
        let cleaned = try snapshot(connection)
        #expect(cleaned.archive == 20_000 && cleaned.metrics + cleaned.archive == before.metrics, "\(cleaned)")
        try connection.execute("DROP TABLESPACE IF EXISTS tiny")
    }
}
