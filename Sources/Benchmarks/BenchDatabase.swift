import Foundation
import Postgres
import SyncEngine

/// A database of the throwaway cluster seeded like the demo, grown to the sizes a benchmark states.
struct BenchDatabase {
    let cluster: ThrowawayCluster
    let name: String
    var configuration: ConnectionConfiguration { cluster.configuration(database: name) }

    static func create(_ cluster: ThrowawayCluster, name: String) throws -> BenchDatabase {
        try Connection(cluster.configuration()).execute("CREATE DATABASE \(identifier: SQLIdentifier(name))")
        let database = BenchDatabase(cluster: cluster, name: name)
        _ = try Migrator(connection: database.connect()).migrate()
        return database
    }

    func connect() throws -> Connection { try Connection(configuration) }

    /// The demo's spread of states at `jobs` jobs and `runs` sync-run rows: the seed at up to 10,000 workspaces, then
    /// each job copied into the next workspace (same state, a repository that workspace lacks) and the history
    /// repeated on earlier days (outside the hour the dashboard reads) until the sizes are reached.
    static func seeded(_ cluster: ThrowawayCluster, name: String, jobs: Int, runs: Int) throws -> BenchDatabase {
        let database = try create(cluster, name: name)
        let connection = try database.connect()
        let workspaces = min(10_000, max(40, jobs * 10 / 73))
        _ = try DemoSeed.seed(connection, options: .init(workspaces: workspaces, includeIssues: false))
        while try count(connection, "SELECT count(*) AS n FROM workspace_tracked_repositories") < jobs {
            let missing = jobs - (try count(connection, "SELECT count(*) AS n FROM workspace_tracked_repositories"))
            let added = try connection.execute("""
                INSERT INTO workspace_tracked_repositories (
                    workspace_id, tracked_repository_id, sync_frequency_hours, data_retention_days, added_at, added_by,
                    last_sync_at, next_sync_at, last_sync_status, last_sync_error, sync_attempts, total_issues_fetched,
                    priority_score, is_active, lease_owner, lease_expires_at, last_attempt_at)
                SELECT n.next_id, j.tracked_repository_id, j.sync_frequency_hours, j.data_retention_days, j.added_at, j.added_by,
                       j.last_sync_at, j.next_sync_at, j.last_sync_status, j.last_sync_error, j.sync_attempts,
                       j.total_issues_fetched, j.priority_score, j.is_active, j.lease_owner, j.lease_expires_at, j.last_attempt_at
                FROM workspace_tracked_repositories j
                JOIN (SELECT id, lead(id) OVER (ORDER BY slug) AS next_id FROM workspaces) n ON n.id = j.workspace_id
                WHERE n.next_id IS NOT NULL
                ORDER BY j.id LIMIT \(missing)
                ON CONFLICT (workspace_id, tracked_repository_id) DO NOTHING
                """)
            if added == 0 { break }
        }
        var day = 1
        while try count(connection, "SELECT count(*) AS n FROM wsync.sync_runs") < runs {
            let missing = runs - (try count(connection, "SELECT count(*) AS n FROM wsync.sync_runs"))
            try connection.execute("""
                INSERT INTO wsync.sync_runs (job_id, workspace_id, repository_id, worker_id, trigger, started_at, finished_at,
                                             duration_ms, api_calls, not_modified, pages, issues_fetched, issues_stored, status, error)
                SELECT job_id, workspace_id, repository_id, worker_id, trigger, started_at - \(day) * interval '1 day',
                       finished_at - \(day) * interval '1 day', duration_ms, api_calls, not_modified, pages, issues_fetched,
                       issues_stored, status, error
                FROM wsync.sync_runs WHERE started_at > now() - interval '1 day' LIMIT \(missing)
                """)
            day += 1
        }
        try connection.executeScript("VACUUM ANALYZE")
        try settleVisibility(connection)
        return database
    }

    /// Vacuums the job table until every page is marked all-visible, as after any quiet spell: a vacuum that ran
    /// while another transaction (autovacuum's own ANALYZE, just after seeding) was open leaves pages unmarked, and
    /// the refresh's index-only counts then read the heap, so the figures would depend on that race.
    static func settleVisibility(_ connection: Connection) throws {
        for _ in 0..<30 {
            let pages = try connection.query("""
                SELECT relpages::int AS pages, relallvisible::int AS visible FROM pg_class
                WHERE oid = 'workspace_tracked_repositories'::regclass
                """)[0]
            if try pages.decode("visible", as: Int.self) >= pages.decode("pages", as: Int.self) { return }
            Thread.sleep(forTimeInterval: 1)
            try connection.executeScript("VACUUM workspace_tracked_repositories")
        }
        say("note: the job table's visibility map did not settle; index-only counts read the heap")
    }

    static func count(_ connection: Connection, _ sql: SQL) throws -> Int {
        try connection.query(sql)[0].decode("n")
    }
}
