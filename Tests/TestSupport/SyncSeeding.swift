import Foundation
import Postgres

/// Rows the sync engine works on: a workspace and tracking rows for repositories (as GitHub ids and names).
public enum SyncSeeding {
    public static func workspace(_ connection: Connection, name: String = "Acme", tier: String = "pro") throws -> UUID {
        try connection.query("""
            INSERT INTO workspaces (name, slug, tier) VALUES (\(name), \("\(name.lowercased())-\(UUID().uuidString.prefix(8))"), \(tier))
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
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, data_retention_days, priority_score, next_sync_at)
            SELECT \(workspace), tracked.id, \(retentionDays), \(priority), now() FROM tracked
            RETURNING id
            """).first!.decode("id")
    }
}
