import Foundation
import Postgres

/// The operator action log. Every mutation records exactly one entry, inside the transaction of its change, so an
/// entry exists if and only if the change committed.
public enum AuditLog {
    /// The exact previous values of the rows an action changed: `rows` is a jsonb array of
    /// `{"id": job id, "before": {column: value}, "after": {column: value}}` for `field`'s columns.
    public struct PreviousState: Sendable {
        public var field: RestorableField
        public var rows: JSONText

        public init(field: RestorableField, rows: JSONText) {
            self.field = field
            self.rows = rows
        }
    }

    /// Records an action and returns its id. Call it inside the transaction that makes the change: the entry and
    /// its announcement on `EventChannel` (which PostgreSQL delivers at commit, so every dashboard sees the change
    /// at once) commit or roll back with the change itself.
    @discardableResult
    public static func record(_ connection: Connection, actor: String, action: AuditAction, parameters: [String: String] = [:],
                              summary: String, affectedRows: Int, previousState: PreviousState? = nil,
                              undoesActionID: Int64? = nil, result: String = "succeeded") throws -> Int64 {
        let actor = try validatedActor(actor)
        let rows = try connection.query("""
            WITH entry AS (
                INSERT INTO wsync.audit_log (actor, action, parameters, summary, affected_rows, previous_state, undoable,
                                             undoes_action_id, result)
                VALUES (\(actor), \(action.rawValue), \(try JSONText(encoding: parameters))::jsonb, \(summary), \(affectedRows),
                        CASE WHEN \(previousState?.field.rawValue)::text IS NULL THEN NULL
                             ELSE jsonb_build_object('field', \(previousState?.field.rawValue)::text, 'rows', \(previousState?.rows)::jsonb) END,
                        \(isUndoable(action, previousState: previousState, affectedRows: affectedRows)), \(undoesActionID), \(result))
                RETURNING id, action
            )
            SELECT id, pg_notify(\(EventChannel.name), json_build_object('event', 'action', 'id', id, 'action', action)::text)
            FROM entry
            """)
        return try rows[0].decode("id", as: Int64.self)
    }

    /// Records an action that was attempted and failed (its transaction rolled back, so nothing changed): the actor,
    /// the parameters, `result = 'failed'` and the error. Written on its own, after the rollback; best effort —
    /// a session that cannot write (the connection gone, a read-only session) cannot record it either, and the
    /// caller's error is what the operator sees in any case.
    public static func recordFailure(_ connection: Connection, actor: String, action: AuditAction,
                                     parameters: [String: String], error: Error) {
        let actor = (try? validatedActor(actor)) ?? "unknown"
        let text = String(describing: error)
        _ = try? connection.query("""
            WITH entry AS (
                INSERT INTO wsync.audit_log (actor, action, parameters, summary, affected_rows, undoable, result, error)
                VALUES (\(actor), \(action.rawValue), \(try JSONText(encoding: parameters))::jsonb,
                        \("failed: nothing was changed"), 0, false, 'failed', \(text))
                RETURNING id, action
            )
            SELECT id, pg_notify(\(EventChannel.name), json_build_object('event', 'action', 'id', id, 'action', action)::text)
            FROM entry
            """)
    }

    /// Whether an error means the action was attempted (and so is logged as failed), rather than refused before
    /// anything was read: bad input and unknown ids change nothing and are not actions.
    static func isAttempt(_ error: Error) -> Bool {
        if let error = error as? WSyncError, [.invalidInput, .notFound].contains(error.kind) { return false }
        return true
    }

    /// Completes an entry recorded when its action started (a manual sync): the outcome replaces the summary that
    /// said it had not finished. Announced like a new entry.
    public static func complete(_ connection: Connection, id: Int64, summary: String, affectedRows: Int,
                                result: String = "succeeded", error: String? = nil) throws {
        try connection.query("""
            WITH entry AS (
                UPDATE wsync.audit_log SET summary = \(summary), affected_rows = \(affectedRows), result = \(result),
                                           error = \(error)
                WHERE id = \(id)
                RETURNING id, action
            )
            SELECT pg_notify(\(EventChannel.name), json_build_object('event', 'action', 'id', id, 'action', action)::text) FROM entry
            """)
    }

    /// The rule of what can be undone: an action that recorded the previous state of the rows it changed, and
    /// changed some (one that changed no row has nothing to restore) — or that paused syncing, which its undo lifts.
    public static func isUndoable(_ action: AuditAction, previousState: PreviousState?, affectedRows: Int) -> Bool {
        previousState != nil && (affectedRows > 0 || action.pausesSyncing)
    }

    /// Entries newest first, optionally only those of one action kind.
    public static func entries(_ connection: Connection, limit: Int = 50, action: AuditAction? = nil) throws -> [AuditEntry] {
        guard limit > 0 else { throw WSyncError.invalidInput(.limit, value: String(limit), rule: "must be at least 1") }
        return try ReadModelQuery.fetch(connection, AuditEntry.listQuery(limit: limit, action: action))
    }

    /// One entry, or nil when no action has that id.
    public static func entry(_ connection: Connection, id: Int64) throws -> AuditEntry? {
        let entries: [AuditEntry] = try ReadModelQuery.fetch(connection, AuditEntry.listQuery(limit: 1, id: id))
        return entries.first
    }

    static func validatedActor(_ actor: String) throws -> String {
        let trimmed = actor.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw WSyncError.invalidInput(.actor, value: "", rule: "is empty: the audit log must say who acted") }
        guard trimmed.count <= 200 else { throw WSyncError.invalidInput(.actor, value: "", rule: "is longer than 200 characters") }
        return trimmed
    }
}

/// One row of the action log, as `wsync audit` prints it.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    /// Every parameter as text (numbers and arrays in JSON notation); nulls are left out. Other writers of the
    /// log (the sync engine) record typed JSON, which this flattens.
    public var parameters: [String: String]
    public var summary: String
    public var affectedRows: Int
    public var undoable: Bool
    public var undoneAt: Date?
    public var undoneBy: String?
    public var undoActionId: Int64?
    public var undoesActionId: Int64?
    /// How the action ended: succeeded, partial (a sync some of whose runs failed), failed (nothing was changed),
    /// or started (a manual sync that has not finished, or never did).
    public var result: String
    /// Why it failed, for a failed or partial action.
    public var error: String?

    /// Can still be undone: undoable and not undone yet.
    public var isUndoable: Bool { undoable && undoneAt == nil }

    static func listQuery(limit: Int, action: AuditAction? = nil, id: Int64? = nil) -> SQL {
        """
        SELECT coalesce(json_agg(json_build_object(
                   'id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                   'parameters', CASE WHEN jsonb_typeof(a.parameters) = 'object' THEN
                       (SELECT coalesce(jsonb_object_agg(p.key, p.value #>> '{}'), '{}') FROM jsonb_each(a.parameters) p
                        WHERE jsonb_typeof(p.value) <> 'null') ELSE '{}' END,
                   'summary', a.summary, 'affected_rows', a.affected_rows, 'undoable', a.undoable,
                   'undone_at', a.undone_at, 'undone_by', a.undone_by, 'undo_action_id', a.undo_action_id,
                   'undoes_action_id', a.undoes_action_id, 'result', a.result, 'error', a.error) ORDER BY a.id DESC), '[]')
        FROM (SELECT * FROM wsync.audit_log
              WHERE (\(action?.rawValue)::text IS NULL OR action = \(action?.rawValue)::text)
                AND (\(id)::bigint IS NULL OR id = \(id)::bigint)
              ORDER BY id DESC LIMIT \(limit)) a
        """
    }
}
