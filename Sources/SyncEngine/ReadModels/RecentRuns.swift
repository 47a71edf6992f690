import Foundation
import Postgres

/// One attempt from wsync's sync-run history (the dashboard's detail view, `wsync report perf`).
public struct SyncRun: Codable, Sendable, Equatable {
    public var id: Int64
    public var jobId: UUID
    public var workerId: String
    public var trigger: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationMs: Int?
    public var apiCalls: Int
    public var notModified: Int
    public var pages: Int
    public var issuesFetched: Int
    public var issuesStored: Int
    public var status: String
    public var error: String?
    /// U+0000 characters GitHub sent in this run's items, stored as U+FFFD (nil where an older record lacks it).
    public var nulCharactersReplaced: Int?

    /// The latest runs of one job, newest first.
    public static func recent(_ connection: Connection, job: UUID, limit: Int = 20) throws -> [SyncRun] {
        try ReadModelQuery.fetch(connection, recentQuery(job: job, limit: limit))
    }

    public static func recentQuery(job: UUID, limit: Int) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'id', r.id, 'job_id', r.job_id, 'worker_id', r.worker_id, 'trigger', r.trigger,
                   'started_at', r.started_at, 'finished_at', r.finished_at, 'duration_ms', r.duration_ms,
                   'api_calls', r.api_calls, 'not_modified', r.not_modified, 'pages', r.pages,
                   'issues_fetched', r.issues_fetched, 'issues_stored', r.issues_stored, 'status', r.status,
                   'error', r.error, 'nul_characters_replaced', r.nul_characters_replaced) ORDER BY r.started_at DESC, r.id DESC), '[]')
        FROM (SELECT * FROM wsync.sync_runs WHERE job_id = \(job)
              ORDER BY started_at DESC, id DESC LIMIT \(limit)) r
        """
    }
}
