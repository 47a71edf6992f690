import Foundation
import Postgres
import SyncEngine

/// Rows the sync engine works on, valid on every `DatabaseShape`: a workspace (with a real owner where production's
/// foreign key wants one) and tracking rows for repositories (as GitHub ids and names).
public enum SyncSeeding {
    /// A user of the app where the database has the app's users table (production shapes); nil elsewhere.
    public static func owner(_ connection: Connection) throws -> UUID? {
        guard try connection.query("SELECT to_regclass('public.app_users') IS NOT NULL AS present")[0].decode("present", as: Bool.self) else {
            return nil
        }
        return try connection.query("""
            INSERT INTO app_users (github_id, github_username) VALUES ((random() * 1e9)::bigint, 'owner')
            RETURNING id
            """)[0].decode("id")
    }

    /// Makes this session act as the app's signed-in `user`, as PostgREST does with a request's JWT (production's
    /// workspace_repositories triggers log the caller and fail without one).
    public static func actAsApp(_ connection: Connection, user: UUID?) throws {
        try connection.execute("""
            SELECT set_config('request.jwt.claims', CASE WHEN \(user)::uuid IS NULL THEN ''
                                                         ELSE json_build_object('sub', \(user)::uuid, 'role', 'authenticated')::text END,
                              false)
            """)
    }

    /// A database of `shape` seeded with the demo's spread of states, NULLs where the shape allows them.
    public static func seededDatabase(_ shape: DatabaseShape) throws -> Connection {
        let connection = try TestDatabase.create(shape: shape).connect()
        try demo(connection)
        try nullRows(connection)
        return connection
    }

    /// The demo's spread of states, on any shape.
    @discardableResult
    public static func demo(_ connection: Connection, options: DemoSeed.Options = DemoSeed.Options()) throws -> DemoSeed.Summary {
        var options = options
        options.ownerID = try owner(connection)
        try actAsApp(connection, user: options.ownerID)
        defer { try? actAsApp(connection, user: nil) }
        return try DemoSeed.seed(connection, options: options)
    }

    /// Writes NULL, as other writers may, into every nullable column of a few rows: jobs (three failed ones keep
    /// their status and error, three others lose everything), workspaces and repositories. Columns that are NOT NULL
    /// in this database are left alone, so this changes nothing on a shape that allows no NULLs.
    public static func nullRows(_ connection: Connection) throws {
        try connection.executeScript("""
            DO $$
            DECLARE
                target record;
            BEGIN
                FOR target IN
                    SELECT c.relname AS tbl, a.attname AS col, c.keep, c.rows
                    FROM (VALUES
                        ('workspace_tracked_repositories', ARRAY['last_sync_status', 'last_sync_error'],
                         '(SELECT id FROM workspace_tracked_repositories WHERE last_sync_status = ''failed'' ORDER BY id LIMIT 3)'),
                        ('workspace_tracked_repositories', ARRAY[]::text[],
                         '(SELECT id FROM workspace_tracked_repositories WHERE last_sync_status IS DISTINCT FROM ''failed'' ORDER BY id LIMIT 3)'),
                        ('workspaces', ARRAY['description'], '(SELECT id FROM workspaces ORDER BY slug DESC LIMIT 2)'),
                        ('repositories', ARRAY['embedding'], '(SELECT id FROM repositories ORDER BY github_id LIMIT 5)')
                    ) AS c(relname, keep, rows)
                    JOIN pg_attribute a ON a.attrelid = ('public.' || c.relname)::regclass AND a.attnum > 0
                         AND NOT a.attisdropped AND NOT a.attnotnull AND a.attname <> ALL(c.keep)
                LOOP
                    EXECUTE format('UPDATE %I SET %I = NULL WHERE id IN %s', target.tbl, target.col, target.rows);
                END LOOP;
            END $$;
            """)
    }

    public static func workspace(_ connection: Connection, name: String = "Acme", tier: String = "pro") throws -> UUID {
        let slug = "\(name.lowercased().filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8).lowercased())"
        return try connection.query("""
            INSERT INTO workspaces (name, slug, tier, owner_id, max_repositories)
            VALUES (\(name), \(slug), \(tier), coalesce(\(try owner(connection))::uuid, gen_random_uuid()), 100)
            RETURNING id
            """).first!.decode("id")
    }

    /// The repository, its tracked row and the workspace's job row (due now); returns the job id.
    public static func track(
        _ connection: Connection, githubID: Int64, fullName: String, workspace: UUID, retentionDays: Int = 30, priority: Int = 50
    ) throws -> UUID {
        let parts = fullName.split(separator: "/").map(String.init)
        return try connection.query("""
            WITH repo AS (
                INSERT INTO repositories (github_id, full_name, owner, name) VALUES (\(githubID), \(fullName), \(parts[0]), \(parts[1]))
                ON CONFLICT (github_id) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING id
            ),
            tracked AS (
                INSERT INTO tracked_repositories (repository_id) SELECT id FROM repo
                ON CONFLICT (repository_id) DO UPDATE SET repository_id = EXCLUDED.repository_id RETURNING id
            )
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, data_retention_days, priority_score,
                                                        next_sync_at, added_by)
            SELECT \(workspace), tracked.id, \(retentionDays), \(priority), now(),
                   (SELECT owner_id FROM workspaces WHERE id = \(workspace))
            FROM tracked
            RETURNING id
            """).first!.decode("id")
    }
}
