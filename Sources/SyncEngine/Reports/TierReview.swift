import Foundation
import Postgres

/// The guide's monthly tier review: each workspace's usage against its tier's limits.
public struct TierReview: TabularRow, Equatable {
    public var workspaceId: UUID
    public var name: String
    public var tier: String
    public var maxRepositories: Int
    public var currentRepositoryCount: Int
    public var dataRetentionDays: Int
    public var trackedRepos: Int
    public var totalIssuesSynced: Int
    /// Tracks more repositories than its tier allows.
    public var overLimit: Bool

    public static func fetch(_ connection: Connection) throws -> [TierReview] {
        try ReadModelQuery.fetch(connection, query)
    }

    public static let query: SQL = """
        SELECT coalesce(json_agg(json_build_object(
                   'workspace_id', t.id, 'name', t.name, 'tier', t.tier, 'max_repositories', t.max_repositories,
                   'current_repository_count', t.current_repository_count, 'data_retention_days', t.data_retention_days,
                   'tracked_repos', t.tracked_repos, 'total_issues_synced', t.total_issues_synced,
                   'over_limit', t.tracked_repos > t.max_repositories)
                   ORDER BY t.tier DESC, t.total_issues_synced DESC, t.name), '[]')
        FROM (
            SELECT w.id, coalesce(w.name, w.slug, w.id::text) AS name, w.tier, w.max_repositories, w.current_repository_count, w.data_retention_days,
                   count(wtr.id) AS tracked_repos, coalesce(sum(wtr.total_issues_fetched), 0) AS total_issues_synced
            FROM workspaces w LEFT JOIN \(JobRows.nullSafe) wtr ON w.id = wtr.workspace_id
            GROUP BY w.id
        ) t
        """

    public static let columns = ["name", "tier", "max_repositories", "current_repository_count", "data_retention_days",
                                 "tracked_repos", "total_issues_synced", "over_limit"]
    public var cells: [String] {
        [name, tier, String(maxRepositories), String(currentRepositoryCount), String(dataRetentionDays),
         String(trackedRepos), String(totalIssuesSynced), overLimit ? "yes" : "no"]
    }
}
