import Foundation
import Postgres
import SyncEngine
import Testing
import TestSupport

@Suite struct MigrationTests {
    /// The contract's tables and the columns other tools and checks rely on.
    static let contract: [String: [String]] = [
        "workspaces": ["id", "name", "slug", "owner_id", "tier", "max_repositories", "current_repository_count",
                       "data_retention_days", "is_active"],
        "repositories": ["id", "github_id", "full_name", "owner", "name", "stargazers_count", "has_issues"],
        "tracked_repositories": ["id", "repository_id"],
        "workspace_repositories": ["workspace_id", "repository_id"],
        "workspace_tracked_repositories": ["id", "workspace_id", "tracked_repository_id", "sync_frequency_hours",
                                           "data_retention_days", "fetch_issues", "added_at", "added_by", "last_sync_at",
                                           "next_sync_at", "last_sync_status", "last_sync_error", "sync_attempts",
                                           "total_issues_fetched", "priority_score", "is_active"],
        "contributors": ["id", "github_id", "username", "avatar_url", "is_bot"],
        "issues": ["id", "github_id", "repository_id", "number", "title", "body", "state", "author_id", "created_at",
                   "updated_at", "closed_at", "labels", "assignees", "milestone", "comments_count", "is_pull_request"],
        "daily_activity_metrics": ["repository_id", "date", "issues_opened", "issues_closed"],
        "daily_activity_metrics_archive": ["repository_id", "date", "issues_opened", "issues_closed"],
        "workspace_issues_cache": ["workspace_id", "period_start", "period_end", "time_range", "calculated_at",
                                   "expires_at", "is_stale"],
    ]

    @Test func emptyDatabaseGetsEveryContractTableAndColumn() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        let outcome = try Migrator(connection: connection).migrate()
        #expect(outcome.applied == Migration.all.map(\.version))
        for (table, columns) in Self.contract {
            #expect(try Set(columnNames(table, connection)).isSuperset(of: columns), "table \(table)")
        }
        for table in ["wsync.sync_runs", "wsync.rate_limit_observations", "wsync.workers", "wsync.pause", "wsync.audit_log"] {
            #expect(try !columnNames(table, connection).isEmpty, "table \(table)")
        }
        let indexes = try connection.query("SELECT indexname FROM pg_indexes WHERE schemaname IN ('public', 'wsync')").map { try $0.decode(0, as: String.self) }
        #expect(Set(indexes).isSuperset(of: ["wsync_wtr_due_idx", "wsync_wtr_failed_order_idx", "wsync_sync_runs_started_idx"]))
    }

    @Test func migrateRebuildsWhatRollbackDropTablesRemoved() throws {
        let database = try TestDatabase.create()
        let connection = try database.connect()
        let before = try schemaFingerprint(connection)
        _ = try Operations(connection: connection, actor: "tester").rollback(dropTables: true, confirmDatabase: database.name)
        #expect(try columnNames("workspace_tracked_repositories", connection).isEmpty)
        let outcome = try Migrator(connection: connection).migrate()
        #expect(outcome.applied == Migration.all.map(\.version))
        #expect(try schemaFingerprint(connection) == before)
        #expect(try Migrator(connection: connection).migrate().alreadyCurrent)
    }

    @Test func secondRunChangesNothing() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        _ = try Migrator(connection: connection).migrate()
        let before = try schemaFingerprint(connection)
        let second = try Migrator(connection: connection).migrate()
        #expect(second.alreadyCurrent)
        #expect(try schemaFingerprint(connection) == before)
    }

    @Test func productionDatabaseKeepsRowsExtraColumnsAndTriggers() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        try connection.executeScript("""
            CREATE TABLE workspaces (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, slug text NOT NULL UNIQUE,
                owner_id uuid, tier text NOT NULL DEFAULT 'free', max_repositories integer NOT NULL DEFAULT 3,
                current_repository_count integer NOT NULL DEFAULT 0, data_retention_days integer NOT NULL DEFAULT 30,
                is_active boolean NOT NULL DEFAULT true, billing_email text, settings jsonb DEFAULT '{}',
                CONSTRAINT slug_is_lowercase CHECK (slug = lower(slug))
            );
            CREATE TABLE repositories (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(), github_id bigint UNIQUE NOT NULL, full_name text UNIQUE NOT NULL,
                owner text NOT NULL, name text NOT NULL, stargazers_count integer DEFAULT 0, has_issues boolean DEFAULT true,
                language text, topics text[]
            );
            CREATE TABLE tracked_repositories (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(), repository_id uuid UNIQUE REFERENCES repositories(id),
                tracking_since timestamptz DEFAULT now()
            );
            CREATE TABLE workspace_tracked_repositories (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(), workspace_id uuid REFERENCES workspaces(id),
                tracked_repository_id uuid REFERENCES tracked_repositories(id), sync_frequency_hours integer DEFAULT 24,
                data_retention_days integer DEFAULT 30, fetch_issues boolean DEFAULT true, added_at timestamptz DEFAULT now(),
                added_by uuid, last_sync_at timestamptz, next_sync_at timestamptz, last_sync_status text,
                last_sync_error text, sync_attempts integer DEFAULT 0, total_issues_fetched integer DEFAULT 0,
                priority_score integer DEFAULT 50, is_active boolean DEFAULT true, legacy_note text,
                UNIQUE (workspace_id, tracked_repository_id)
            );
            CREATE TABLE sync_touches (table_name text, at timestamptz DEFAULT now());
            CREATE FUNCTION note_touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO sync_touches (table_name) VALUES (TG_TABLE_NAME); RETURN NEW; END $$;
            CREATE TRIGGER wtr_touch AFTER UPDATE ON workspace_tracked_repositories FOR EACH ROW EXECUTE FUNCTION note_touch();
            INSERT INTO workspaces (name, slug, tier, billing_email) VALUES ('Acme', 'acme', 'pro', 'ops@acme.test');
            INSERT INTO repositories (github_id, full_name, owner, name, language) VALUES (101, 'acme/api', 'acme', 'api', 'Swift');
            INSERT INTO tracked_repositories (repository_id) SELECT id FROM repositories;
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, last_sync_status, sync_attempts, legacy_note)
                SELECT w.id, t.id, 'failed', 4, 'keep me' FROM workspaces w, tracked_repositories t;
            """)
        let rowsBefore = try connection.query("SELECT * FROM workspace_tracked_repositories")
        _ = try Migrator(connection: connection).migrate()

        let workspace = try #require(try connection.query("SELECT billing_email, settings FROM workspaces").first)
        #expect(try workspace.decode("billing_email", as: String.self) == "ops@acme.test")
        let job = try #require(try connection.query("SELECT * FROM workspace_tracked_repositories").first)
        #expect(try job.decode("legacy_note", as: String.self) == "keep me")
        #expect(try job.decode("sync_attempts", as: Int.self) == 4)
        #expect(try job.decode("last_sync_status", as: String.self) == "failed")
        #expect(try job.decode("lease_owner", as: String?.self) == nil)
        #expect(rowsBefore.count == 1)
        #expect(try Set(columnNames("repositories", connection)).isSuperset(of: ["language", "topics"]))
        // The production trigger still fires.
        try connection.execute("UPDATE workspace_tracked_repositories SET sync_attempts = 0")
        #expect(try connection.query("SELECT count(*) AS n FROM sync_touches").first?.decode("n", as: Int.self) == 1)
        for (table, columns) in Self.contract {
            #expect(try Set(columnNames(table, connection)).isSuperset(of: columns), "table \(table)")
        }
    }

    @Test func concurrentMigratesAreSerialized() async throws {
        let database = try TestDatabase.create(migrated: false)
        let outcomes = try await withThrowingTaskGroup(of: Migrator.Outcome.self) { group in
            for _ in 0..<2 {
                group.addTask { try Migrator(connection: database.connect()).migrate() }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.map(\.applied.count).sorted() == [0, Migration.all.count])
        let versions = try database.connect().query("SELECT version FROM wsync.schema_migrations ORDER BY version")
        #expect(try versions.map { try $0.decode(0, as: Int.self) } == Migration.all.map(\.version))
    }

    @Test func failedMigrationIsRolledBackWhole() throws {
        let connection = try TestDatabase.create(migrated: false).connect()
        // A foreign table of the contract's name that lacks expires_at makes the index migration fail half way.
        try connection.executeScript("CREATE TABLE workspace_issues_cache (workspace_id uuid, time_range text)")
        let error = #expect(throws: MigrationError.self) { try Migrator(connection: connection).migrate() }
        #expect(error?.version == 3)
        #expect(error?.description.contains("rolled back") == true)
        let versions = try connection.query("SELECT version FROM wsync.schema_migrations ORDER BY version")
        #expect(try versions.map { try $0.decode(0, as: Int.self) } == [1, 2])
        // Statements of migration 3 that ran before the failing one were undone with it.
        let indexes = try connection.query("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'wsync\\_%\\_idx'")
        #expect(indexes.isEmpty)
    }

    private func columnNames(_ table: String, _ connection: Connection) throws -> [String] {
        try connection.query("""
            SELECT attname::text FROM pg_attribute WHERE attrelid = to_regclass(\(table)) AND attnum > 0 AND NOT attisdropped
            """).map { try $0.decode(0, as: String.self) }
    }

    private func schemaFingerprint(_ connection: Connection) throws -> [String] {
        try connection.query("""
            SELECT table_name || '.' || column_name || ':' || data_type || ':' || coalesce(column_default, '') AS c
            FROM information_schema.columns WHERE table_schema IN ('public', 'wsync')
            UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname IN ('public', 'wsync')
            ORDER BY 1
            """).map { try $0.decode(0, as: String.self) }
    }
}
