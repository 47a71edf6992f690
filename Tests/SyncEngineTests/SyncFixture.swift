import Foundation
import GitHubSimulator
import Postgres
import TestSupport
@testable import SyncEngine

/// A migrated throwaway database plus a simulator, with helpers to track simulated repositories and sync them.
struct SyncFixture {
    let database: TestDatabase
    let simulator: GitHubSimulator
    let connection: Connection
    let workspaceID: UUID
    /// Generous by default: other tests in the process may briefly starve the simulator of threads.
    let requestTimeout: TimeInterval

    static func make(
        _ configuration: GitHubSimulator.Configuration = .init(token: "test-token"), shape: DatabaseShape = .fresh,
        requestTimeout: TimeInterval = 90
    ) async throws -> SyncFixture {
        let (database, workspaceID) = try await offPool {
            let database = try TestDatabase.create(shape: shape)
            return (database, try SyncSeeding.workspace(try database.connect()))
        }
        // The fixture's own connection, for the test's reads and writes (a connection stays on the task that made it).
        let connection = try database.connect()
        return SyncFixture(
            database: database, simulator: try await GitHubSimulator.start(configuration), connection: connection,
            workspaceID: workspaceID, requestTimeout: requestTimeout
        )
    }

    func stop() async { await simulator.stop() }

    /// Adds the repository to the simulator and a tracking row for it; returns the job id.
    @discardableResult
    func track(
        _ fullName: String, issueCount: Int = 50, pullRequestEvery: Int = 5, spreadDays: Int = 30,
        retentionDays: Int = 30, priority: Int = 50, workspace: UUID? = nil
    ) async throws -> UUID {
        let repository = await simulator.addRepository(fullName, issueCount: issueCount, pullRequestEvery: pullRequestEvery, spreadDays: spreadDays)
        return try SyncSeeding.track(
            connection, githubID: repository.id, fullName: fullName, workspace: workspace ?? workspaceID,
            retentionDays: retentionDays, priority: priority
        )
    }

    var github: GitHubConfiguration { github(tokens: ["test-token"]) }

    /// The simulator's address with this pool (empty: unauthenticated).
    func github(tokens: [String]) -> GitHubConfiguration {
        GitHubConfiguration(baseURL: simulator.baseURL, tokens: tokens.map { GitHubToken(secret: $0) }, requestTimeout: requestTimeout)
    }

    /// A retry policy that skips waits instead of sleeping.
    static let noWaiting = RetryPolicy(sleep: { _ in })

    /// How the fixture syncs, without its connection: for a sync running in a task of its own.
    struct Syncer: Sendable {
        let database: ConnectionConfiguration
        let github: GitHubConfiguration
        var retry: RetryPolicy = SyncFixture.noWaiting
        var log: @Sendable (String) -> Void = { _ in }

        func sync(_ selection: SyncSelection, options: SyncNowOptions = SyncNowOptions()) async throws -> SyncNowResult {
            try await ManualSync(database: database, github: github, retry: retry, log: log)
                .syncNow(selection, options: options, actor: "tests")
        }

        func sync(job: UUID, options: SyncNowOptions = SyncNowOptions()) async throws -> RunReport {
            try await sync(SyncSelection(jobIDs: [job]), options: options).results.first!
        }
    }

    var syncer: Syncer { Syncer(database: database.configuration, github: github) }

    /// A manual sync with the fixture's token, or with `github`'s pool, waits skipped (or recorded by `retry`).
    func sync(
        _ selection: SyncSelection, options: SyncNowOptions = SyncNowOptions(), github: GitHubConfiguration? = nil,
        retry: RetryPolicy = noWaiting, log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> SyncNowResult {
        try await Syncer(database: database.configuration, github: github ?? self.github, retry: retry, log: log)
            .sync(selection, options: options)
    }

    func sync(
        job: UUID, options: SyncNowOptions = SyncNowOptions(), github: GitHubConfiguration? = nil, retry: RetryPolicy = noWaiting
    ) async throws -> RunReport {
        try await sync(SyncSelection(jobIDs: [job]), options: options, github: github, retry: retry).results.first!
    }

    /// The history row of the job's latest run.
    func lastRun(_ job: UUID) throws -> (status: String, apiCalls: Int, notModified: Int) {
        let row = try connection.query("""
            SELECT status, api_calls, not_modified FROM wsync.sync_runs WHERE job_id = \(job) ORDER BY id DESC LIMIT 1
            """)[0]
        return (try row.decode("status"), try row.decode("api_calls"), try row.decode("not_modified"))
    }

    struct JobState: Equatable {
        var status: String?
        var error: String?
        var attempts: Int
        var totalFetched: Int
        var nextSyncAt: Date?
        var leaseOwner: String?
        var issuesSince: Date?
        var etag: String?
    }

    func job(_ id: UUID) throws -> JobState {
        let row = try connection.query("""
            SELECT last_sync_status, last_sync_error, sync_attempts, total_issues_fetched, next_sync_at, lease_owner,
                   issues_since, issues_etag
            FROM workspace_tracked_repositories WHERE id = \(id)
            """).first!
        return JobState(
            status: try row.decode("last_sync_status"), error: try row.decode("last_sync_error"),
            attempts: try row.decode("sync_attempts"), totalFetched: try row.decode("total_issues_fetched"),
            nextSyncAt: try row.decode("next_sync_at"), leaseOwner: try row.decode("lease_owner"),
            issuesSince: try row.decode("issues_since"), etag: try row.decode("issues_etag")
        )
    }

    /// github_id → (title, state, updated_at) of the stored issues of a repository.
    func storedIssues(_ fullName: String) throws -> [Int64: (title: String, state: String, updatedAt: Date)] {
        var result: [Int64: (String, String, Date)] = [:]
        for row in try connection.query("""
            SELECT i.github_id, i.title, i.state, i.updated_at FROM issues i JOIN repositories r ON r.id = i.repository_id
            WHERE r.full_name = \(fullName)
            """) {
            result[try row.decode("github_id")] = (try row.decode("title"), try row.decode("state"), try row.decode("updated_at"))
        }
        return result
    }

    /// A digest of every synced table, to prove that a run changed nothing.
    func digest() throws -> String {
        try connection.query("""
            SELECT md5(coalesce((SELECT string_agg(i::text, '|' ORDER BY github_id) FROM issues i), '')
                    || coalesce((SELECT string_agg(c::text, '|' ORDER BY github_id) FROM contributors c), '')
                    || coalesce((SELECT string_agg(d::text, '|' ORDER BY repository_id, date) FROM daily_activity_metrics d), '')) AS digest
            """).first!.decode("digest")
    }
}
