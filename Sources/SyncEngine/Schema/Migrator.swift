import Postgres

/// One versioned schema change. Versions are applied in order, each in its own transaction; an applied version is
/// never edited — a change is a new version.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let script: SQL

    /// Every migration wsync knows, in order.
    public static let all: [Migration] = [contractTables, wsyncState, hotQueryIndexes, publicAPIAccess, workerLiveness, tokenPool, dashboardRollup,
                                          reliability, abortedRuns, activityHistory, failedListOrder, activeLeases, clockCounts,
                                          quarterHourCounts, uncountedUpdates]
}

/// Brings a database to the current schema. Safe to run concurrently: an advisory lock serializes migrators.
public struct Migrator {
    public struct Outcome: Sendable, Equatable {
        public var applied: [Int]
        public var alreadyCurrent: Bool { applied.isEmpty }
        public var currentVersion: Int
    }

    /// Arbitrary constant naming wsync's migration lock.
    static let advisoryLockKey = 7_283_640_117

    let connection: Connection

    public init(connection: Connection) {
        self.connection = connection
    }

    /// wsync's own tables live in schema `wsync`, which PostgREST (Supabase's public API) does not expose. Installs
    /// from before that kept them in `public` as `wsync_*`; they move here, rows and all, before any migration runs.
    static let ownSchema: SQL = """
        CREATE SCHEMA IF NOT EXISTS wsync;
        REVOKE ALL ON SCHEMA wsync FROM PUBLIC;
        DO $$
        DECLARE
            legacy text;
        BEGIN
            FOREACH legacy IN ARRAY ARRAY['schema_migrations', 'sync_runs', 'rate_limit_observations', 'workers', 'pause',
                                          'audit_log']
            LOOP
                IF to_regclass('public.wsync_' || legacy) IS NOT NULL AND to_regclass('wsync.' || legacy) IS NULL THEN
                    EXECUTE format('ALTER TABLE public.%I SET SCHEMA wsync', 'wsync_' || legacy);
                    EXECUTE format('ALTER TABLE wsync.%I RENAME TO %I', 'wsync_' || legacy, legacy);
                END IF;
            END LOOP;
        END $$;
        """

    public func migrate() throws -> Outcome {
        try connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))") }
        try connection.executeScript(Self.ownSchema)
        try connection.executeScript("""
            CREATE TABLE IF NOT EXISTS wsync.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        // Recorded versions count only while the tables they built are there: after `rollback --drop-tables` (or a
        // hand-made DROP) every migration runs again; each is written to be re-applied safely.
        let intact = try connection.query("""
            SELECT to_regclass('workspace_tracked_repositories') IS NOT NULL AND to_regclass('daily_activity_metrics') IS NOT NULL
               AND to_regclass('workspace_issues_cache') IS NOT NULL AS intact
            """)[0].decode("intact", as: Bool.self)
        let done = intact
            ? Set(try connection.query("SELECT version FROM wsync.schema_migrations").map { try $0.decode(0, as: Int.self) })
            : []
        var applied: [Int] = []
        for migration in Migration.all where !done.contains(migration.version) {
            do {
                try connection.transaction { connection in
                    try connection.executeScript(migration.script)
                    try connection.execute("""
                        INSERT INTO wsync.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))
                        ON CONFLICT (version) DO UPDATE SET applied_at = now()
                        """)
                }
            } catch let error as PostgresError {
                throw MigrationError(version: migration.version, name: migration.name, underlying: error)
            }
            applied.append(migration.version)
        }
        return Outcome(applied: applied, currentVersion: Migration.all.last?.version ?? 0)
    }
}

/// A migration that failed; it was rolled back as a whole.
public struct MigrationError: Error, CustomStringConvertible {
    public let version: Int
    public let name: String
    public let underlying: PostgresError

    public var description: String {
        let reason: String
        switch underlying.sqlState {
        case .some(.insufficientPrivilege):
            reason = "permission denied (\(underlying)); connect as the schema owner or grant CREATE on the schema"
        case .some(.undefinedFile), .some(SQLState(rawValue: "0A000")):
            reason = "\(underlying); install the missing extension or use PostgreSQL 13 or newer"
        default:
            reason = underlying.description
        }
        return "migration \(version) (\(name)) was rolled back: \(reason)"
    }
}
