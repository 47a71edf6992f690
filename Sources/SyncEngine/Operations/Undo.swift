import Foundation
import Postgres

extension Operations {
    /// Restores the recorded previous values of an undoable action. Jobs changed since (their value is no longer the
    /// one the action set) or removed are left alone and reported in `skipped`.
    public func undo(actionID: Int64) throws -> ActionOutcome {
        try validateActor()
        return try audited(.undo, ["action_id": String(actionID)]) { try undo(actionID: actionID, recordedAs: .undo) }
    }

    func undo(actionID: Int64, recordedAs auditAction: AuditAction) throws -> ActionOutcome {
        // An undo refused for good (every job it changed is gone) commits that it is no longer undoable, then says so.
        try connection.transaction { connection -> Result<ActionOutcome, WSyncError> in
            try Self.serializeActions(connection)
            let rows = try connection.query("""
                SELECT action, undoable, undone_at, undone_by, previous_state->>'field' AS field
                FROM wsync.audit_log WHERE id = \(actionID) FOR UPDATE
                """)
            guard let entry = rows.first else { throw WSyncError.notFound("no action has id \(actionID)", hint: .seeAuditLog) }
            let action = try entry.decode("action", as: String.self)
            if let undoneAt = try entry.decode("undone_at", as: Date?.self) {
                let by = try entry.decode("undone_by", as: String?.self) ?? "someone"
                throw WSyncError.refused("action \(actionID) (\(action)) was already undone at \(PostgresTimestamp.format(undoneAt).prefix(19)) by \(by); nothing to do")
            }
            guard try entry.decode("undoable", as: Bool.self),
                  let field = try entry.decode("field", as: String?.self).flatMap(RestorableField.init(rawValue:)) else {
                throw WSyncError.refused("action \(actionID) (\(action)) cannot be undone: it changed nothing that can be restored")
            }
            let result = try connection.query(Self.restoreStatement(field, actionID: actionID))[0]
            let restored = try result.decode("restored", as: Int.self)
            let skipped = try result.decode("skipped", as: [String].self)
            if restored == 0, !skipped.isEmpty, !Self.pausingActions.contains(action),
               try result.decode("gone", as: Int.self) == skipped.count {
                try connection.execute("UPDATE wsync.audit_log SET undoable = false WHERE id = \(actionID)")
                return .failure(.refused("action \(actionID) (\(action)) cannot be undone any more: every job it changed has been removed"))
            }
            // Marking it undone would lose its record for good while it restored nothing; the later changes come
            // first. (A stop-all still lifts its pause even when every row was reactivated by hand.)
            if restored == 0, !skipped.isEmpty, !Self.pausingActions.contains(action) {
                throw WSyncError.conflict("""
                    action \(actionID) (\(action)) would restore nothing: all \(skipped.count) jobs it changed were changed \
                    since, by later actions or syncs; nothing was changed
                    """, hint: .undoNewerFirst)
            }
            var summary = "undid action \(actionID) (\(action)): restored \(counted(restored, "job"))"
            if !skipped.isEmpty { summary += "; left \(skipped.count) changed since alone" }
            if Self.pausingActions.contains(action) {
                let stillInEffect = try connection.query("""
                    SELECT max(id) AS id FROM wsync.audit_log WHERE action = ANY(\(Self.pausingActions)::text[])
                    AND undoable AND undone_at IS NULL AND id <> \(actionID)
                    """)[0].decode("id", as: Int64?.self)
                if let stillInEffect {
                    summary += "; syncing stays paused: action \(stillInEffect) is still in effect"
                    // The switch names the stop still in effect, not the one just undone (the dashboard shows it).
                    try connection.execute("""
                        UPDATE wsync.pause p SET action_id = a.id, paused_by = a.actor, paused_at = a.at,
                            reason = CASE a.action WHEN 'rollback' THEN 'rollback' ELSE coalesce(a.parameters->>'reason', p.reason) END
                        FROM wsync.audit_log a WHERE a.id = \(stillInEffect) AND p.action_id IS DISTINCT FROM a.id
                        """)
                } else {
                    try connection.execute("""
                        UPDATE wsync.pause SET is_paused = false, reason = NULL, paused_at = NULL, paused_by = NULL, action_id = NULL
                        """)
                }
            }
            let id = try AuditLog.record(connection, actor: actor, action: auditAction, parameters: ["action_id": String(actionID)],
                                         summary: summary, affectedRows: restored, undoesActionID: actionID)
            try connection.execute("""
                UPDATE wsync.audit_log SET undone_at = now(), undone_by = \(actor), undo_action_id = \(id), undoable = false
                WHERE id = \(actionID)
                """)
            return .success(ActionOutcome(actionId: id, action: auditAction, affectedRows: restored, summary: summary, skipped: skipped))
        }.get()
    }

    /// Restores `field` from the audit entry's rows where the job still holds the value the action set, and names
    /// the recorded jobs it did not restore.
    static func restoreStatement(_ field: RestorableField, actionID: Int64) -> SQL {
        """
        WITH entries AS (
            SELECT (e->>'id')::uuid AS id, e->'before' AS before, e->'after' AS after
            FROM wsync.audit_log a, jsonb_array_elements(a.previous_state->'rows') e WHERE a.id = \(actionID)
        ), restored AS (
            \(restoreUpdate(field))
            RETURNING w.id
        )
        SELECT (SELECT count(*) FROM restored)::int AS restored,
               (SELECT count(*) FROM entries e
                WHERE NOT EXISTS (SELECT 1 FROM workspace_tracked_repositories w WHERE w.id = e.id))::int AS gone,
               coalesce((SELECT array_agg(coalesce(r.full_name, 'removed job ' || e.id) ORDER BY r.full_name)
                         FROM entries e
                         LEFT JOIN workspace_tracked_repositories wtr ON wtr.id = e.id
                         LEFT JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id
                         LEFT JOIN repositories r ON r.id = tr.repository_id
                         WHERE e.id NOT IN (SELECT id FROM restored)), '{}') AS skipped
        """
    }

    private static func restoreUpdate(_ field: RestorableField) -> SQL {
        switch field {
        case .activity:
            """
            UPDATE workspace_tracked_repositories w SET is_active = (entries.before->>'is_active')::boolean
            FROM entries WHERE w.id = entries.id AND w.is_active IS NOT DISTINCT FROM (entries.after->>'is_active')::boolean
            """
        case .frequency:
            """
            UPDATE workspace_tracked_repositories w SET sync_frequency_hours = (entries.before->>'sync_frequency_hours')::int
            FROM entries
            WHERE w.id = entries.id AND w.sync_frequency_hours IS NOT DISTINCT FROM (entries.after->>'sync_frequency_hours')::int
            """
        case .retention:
            """
            UPDATE workspace_tracked_repositories w SET data_retention_days = (entries.before->>'data_retention_days')::int
            FROM entries
            WHERE w.id = entries.id AND w.data_retention_days IS NOT DISTINCT FROM (entries.after->>'data_retention_days')::int
            """
        case .schedule:
            """
            UPDATE workspace_tracked_repositories w
            SET sync_frequency_hours = (entries.before->>'sync_frequency_hours')::int,
                priority_score = (entries.before->>'priority_score')::int
            FROM entries
            WHERE w.id = entries.id
              AND w.sync_frequency_hours IS NOT DISTINCT FROM (entries.after->>'sync_frequency_hours')::int
              AND w.priority_score IS NOT DISTINCT FROM (entries.after->>'priority_score')::int
            """
        case .goneState:
            // Undoing says "it is not gone": the job syncs again and its streak starts over.
            """
            UPDATE workspace_tracked_repositories w
            SET is_active = (entries.before->>'is_active')::boolean, gone_count = 0, gone_since = NULL
            FROM entries WHERE w.id = entries.id AND w.is_active = (entries.after->>'is_active')::boolean
            """
        case .retryState:
            """
            UPDATE workspace_tracked_repositories w
            SET sync_attempts = (entries.before->>'sync_attempts')::int,
                next_sync_at = (entries.before->>'next_sync_at')::timestamptz,
                last_sync_error = entries.before->>'last_sync_error'
            FROM entries
            WHERE w.id = entries.id AND w.sync_attempts IS NOT DISTINCT FROM (entries.after->>'sync_attempts')::int
              AND w.next_sync_at IS NOT DISTINCT FROM (entries.after->>'next_sync_at')::timestamptz
              AND w.last_sync_error IS NOT DISTINCT FROM entries.after->>'last_sync_error'
            """
        }
    }
}
