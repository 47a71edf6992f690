import Foundation
import Postgres

/// What happened last: the newest sync runs and the newest operator actions (up to a limit of each, so that busy
/// workers never crowd the operators' actions out), newest first — the dashboard's live event feed. Each names its
/// time, who acted (a worker's id, an operator), what it acted on and how it ended. Read through the newest-first
/// indexes of the run history and the audit log, so its cost is its limits', not the history's.
public struct RecentEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case run
        case action
    }

    public var kind: Kind
    /// The run's or the audit entry's id.
    public var id: Int64
    /// When a run finished (or started, while it runs); when an action was recorded.
    public var at: Date
    /// The worker or manual session of a run; the operator of an action.
    public var actor: String
    /// A run's trigger (`schedule`, `manual`); an action's kind (`reset`, `stop-all`, …).
    public var action: String
    /// A run's status (`running`, `success`, `partial`, `failed`); an action's `done` or `undone`.
    public var status: String
    /// The repository and workspace acted on, when one is named (a run's; an action's `job_id`, `repository`).
    public var repository: String?
    public var workspace: String?
    /// An action's summary.
    public var summary: String?
    public var affectedRows: Int?
    /// An action's parameters, flattened to text as `AuditEntry` has them.
    public var parameters: [String: String]?
    /// A run's error, counts and duration.
    public var error: String?
    public var issuesStored: Int?
    public var apiCalls: Int?
    public var durationMs: Int?

    public static func fetch(_ connection: Connection, limit: Int = 20) throws -> [RecentEvent] {
        try ReadModelQuery.fetch(connection, query(limit: limit))
    }

    /// A job id or workspace id named in an action's parameters, cast only when it has the shape of one.
    private static func uuid(_ text: SQL) -> SQL {
        "CASE WHEN \(text) ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN (\(text))::uuid END"
    }

    public static func query(limit: Int) -> SQL {
        """
        SELECT coalesce(json_agg(e.event ORDER BY e.at DESC, e.kind, e.id DESC), '[]')
        FROM (
            SELECT * FROM (
                SELECT 'action' AS kind, a.id, a.at, json_build_object(
                           'kind', 'action', 'id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                           'status', CASE WHEN a.undone_at IS NULL THEN 'done' ELSE 'undone' END,
                           'summary', a.summary, 'affected_rows', a.affected_rows,
                           'parameters', CASE WHEN jsonb_typeof(a.parameters) = 'object' THEN
                               (SELECT coalesce(jsonb_object_agg(p.key, p.value #>> '{}'), '{}') FROM jsonb_each(a.parameters) p
                                WHERE jsonb_typeof(p.value) <> 'null') ELSE '{}' END,
                           'repository', coalesce(j.full_name, a.parameters->>'repository'), 'workspace', coalesce(j.workspace, w.name)) AS event
                FROM (SELECT * FROM wsync.audit_log ORDER BY at DESC, id DESC LIMIT \(limit)) a
                LEFT JOIN LATERAL (
                    SELECT r.full_name, coalesce(ws.name, ws.slug, ws.id::text) AS workspace
                    FROM workspace_tracked_repositories jt
                    JOIN workspaces ws ON ws.id = jt.workspace_id
                    JOIN tracked_repositories tr ON tr.id = jt.tracked_repository_id
                    JOIN repositories r ON r.id = tr.repository_id
                    WHERE jt.id = \(uuid("coalesce(a.parameters->>'job_id', a.parameters->>'jobs')"))
                    OFFSET 0
                ) j ON true
                LEFT JOIN LATERAL (
                    SELECT coalesce(ws.name, ws.slug, ws.id::text) AS name FROM workspaces ws
                    WHERE ws.id = \(uuid("coalesce(a.parameters->>'workspace_id', a.parameters->>'workspace')"))
                    OFFSET 0
                ) w ON true
                UNION ALL
                SELECT 'run', r.id, coalesce(r.finished_at, r.started_at), json_build_object(
                           'kind', 'run', 'id', r.id, 'at', coalesce(r.finished_at, r.started_at), 'actor', r.worker_id,
                           'action', r.trigger, 'status', r.status, 'repository', rp.full_name,
                           'workspace', coalesce(ws.name, ws.slug, ws.id::text), 'error', r.error,
                           'issues_stored', r.issues_stored, 'api_calls', r.api_calls, 'duration_ms', r.duration_ms)
                FROM (SELECT * FROM wsync.sync_runs ORDER BY started_at DESC, id DESC LIMIT \(limit)) r
                -- Looked up by key for each listed run (OFFSET 0 keeps the planner from hash-joining every workspace and
                -- repository for twenty rows, as FailedSync explains).
                LEFT JOIN LATERAL (SELECT full_name FROM repositories WHERE id = r.repository_id OFFSET 0) rp ON true
                LEFT JOIN LATERAL (SELECT name, slug, id FROM workspaces WHERE id = r.workspace_id OFFSET 0) ws ON true
            ) both_kinds
        ) e
        """
    }
}
