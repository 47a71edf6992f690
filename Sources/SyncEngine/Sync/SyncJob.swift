import Foundation
import Postgres

/// One (workspace, repository) sync job: a `workspace_tracked_repositories` row with what a run needs.
public struct SyncJob: Sendable, Equatable {
    public let id: UUID
    public let workspaceID: UUID
    public let repositoryID: UUID
    public let githubID: Int64
    public let fullName: String
    /// The `since` of the listing the next run repeats: everything updated before it is stored.
    public let issuesSince: Date?
    /// ETag of the listing since `issuesSince` (when it fits in one page), and the fingerprint of its token.
    public let issuesETag: String?
    public let issuesETagToken: String?
    public let dataRetentionDays: Int
    public let syncFrequencyHours: Int
    public let syncAttempts: Int

    /// The select list every job query uses (aliases: wtr, r).
    static let columns: SQL = """
        wtr.id AS job_id, wtr.workspace_id, r.id AS repository_id, r.github_id, r.full_name, wtr.issues_since,
        wtr.issues_etag, wtr.issues_etag_token,
        coalesce(wtr.data_retention_days, \(JobDefaults.retentionDays)) AS data_retention_days,
        coalesce(wtr.sync_frequency_hours, \(JobDefaults.frequencyHours)) AS sync_frequency_hours,
        coalesce(wtr.sync_attempts, 0) AS sync_attempts
        """

    /// The joins from a job row to its repository.
    static let joins: SQL = """
        JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
        JOIN repositories r ON r.id = tr.repository_id
        """

    init(row: Row) throws {
        id = try row.decode("job_id")
        workspaceID = try row.decode("workspace_id")
        repositoryID = try row.decode("repository_id")
        githubID = try row.decode("github_id")
        fullName = try row.decode("full_name")
        issuesSince = try row.decode("issues_since")
        issuesETag = try row.decode("issues_etag")
        issuesETagToken = try row.decode("issues_etag_token")
        dataRetentionDays = try row.decode("data_retention_days")
        syncFrequencyHours = try row.decode("sync_frequency_hours")
        syncAttempts = try row.decode("sync_attempts")
    }
}
