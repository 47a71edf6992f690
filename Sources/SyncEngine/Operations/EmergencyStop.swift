import Foundation
import Postgres

extension Operations {
    /// Emergency stop: deactivates every active job, records exactly which, and sets the global pause switch that
    /// workers obey. Undone by `resume`.
    public func stopAll(reason: String) throws -> ActionOutcome {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw WSyncError.invalidInput(.reason, value: "", rule: "is empty: an emergency stop says why, for the audit log and the dashboard") }
        try validateActor()
        return try audited(.stopAll, ["reason": reason]) { try connection.transaction { connection in
            try Self.serializeActions(connection)
            let outcome = try deactivate(where: "wtr.is_active", action: .stopAll, parameters: ["reason": reason]) { affected in
                "stopped \(counted(affected, "active sync")); syncing is paused (\(reason))"
            }
            try setPause(reason: reason, actionID: outcome.actionId, connection)
            return outcome
        } }
    }

    /// Undoes a stop-all (the latest one still in effect, or `actionID`): reactivates exactly the jobs it
    /// deactivated that are still inactive, and clears the pause when no other stop is in effect.
    /// Without any stop-all in effect it clears a pause switch that is set.
    public func resume(actionID: Int64? = nil) throws -> ActionOutcome {
        try validateActor()
        return try audited(.resume, actionID.map { ["action_id": String($0)] } ?? [:]) { try connection.transaction { connection in
            try Self.serializeActions(connection)
            if let actionID {
                let entry = try AuditLog.entry(connection, id: actionID)
                guard let entry else { throw WSyncError.notFound("no action has id \(actionID)", hint: .seeAuditLog) }
                guard Self.pausingActions.contains(entry.action) else {
                    throw WSyncError.refused("action \(actionID) (\(entry.action)) is not a stop-all: resume takes a stop-all's id", hint: .seeAuditLog)
                }
                return try undo(actionID: actionID, recordedAs: .resume)
            }
            let latest = try connection.query("""
                SELECT id FROM wsync.audit_log
                WHERE action = ANY(\(Self.pausingActions)::text[]) AND undoable AND undone_at IS NULL
                ORDER BY id DESC LIMIT 1
                """)
            if let id = try latest.first?.decode("id", as: Int64.self) {
                return try undo(actionID: id, recordedAs: .resume)
            }
            guard try PauseState.fetch(connection).isPaused else {
                throw WSyncError.refused("nothing to resume: no stop-all is in effect and syncing is not paused")
            }
            try connection.execute("UPDATE wsync.pause SET is_paused = false, reason = NULL, paused_at = NULL, paused_by = NULL, action_id = NULL")
            let summary = "cleared the pause switch; no stop-all was in effect, so no job changed"
            let id = try AuditLog.record(connection, actor: actor, action: .resume, summary: summary, affectedRows: 0)
            return ActionOutcome(actionId: id, action: .resume, affectedRows: 0, summary: summary)
        } }
    }

    static let pausingActions = AuditAction.pausing.map(\.rawValue)

    /// Deactivates the active jobs matching `condition` (on alias `wtr`), recording them for undo.
    func deactivate(where condition: SQL, action: AuditAction, parameters: [String: String],
                    summary: @escaping (Int) -> String) throws -> ActionOutcome {
        try applyRowChange("""
            WITH target AS (
                SELECT wtr.id FROM workspace_tracked_repositories wtr WHERE wtr.is_active AND (\(condition)) FOR UPDATE
            ), changed AS (
                UPDATE workspace_tracked_repositories w SET is_active = false FROM target t WHERE w.id = t.id
                RETURNING w.id, jsonb_build_object('is_active', true) AS before, jsonb_build_object('is_active', false) AS after
            )
            \(RowChangeSQL.summary)
            """, field: .activity, action: action, parameters: parameters, summary: summary)
    }

    func setPause(reason: String, actionID: Int64?, _ connection: Connection) throws {
        try connection.execute("""
            INSERT INTO wsync.pause (singleton, is_paused, reason, paused_at, paused_by, action_id)
            VALUES (true, true, \(reason), now(), \(actor), \(actionID))
            ON CONFLICT (singleton) DO UPDATE SET is_paused = true, reason = excluded.reason, paused_at = excluded.paused_at,
                paused_by = excluded.paused_by, action_id = excluded.action_id
            """)
    }
}
