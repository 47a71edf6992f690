import Postgres

extension Operations {
    /// The guide's reset of failed syncs: attempts 0, due now, error cleared. Undoable.
    public func reset(_ selector: JobSelector) throws -> ActionOutcome {
        try validateActor()
        return try audited(.reset, selector.parameters) {
            try connection.transaction { _ in
                try applyRowChange(Self.resetStatement(try selector.resolvedCondition(connection)), field: .retryState,
                                   action: .reset, parameters: selector.parameters, summary: Self.resetSummary)
            }
        }
    }

    /// The reset of the jobs matching `condition` (on alias `wtr`), ending in `RowChangeSQL.summary`.
    static func resetStatement(_ condition: SQL) -> SQL {
        """
        WITH target AS (
            SELECT wtr.id, wtr.sync_attempts, wtr.next_sync_at, wtr.last_sync_error
            FROM workspace_tracked_repositories wtr WHERE \(condition) FOR UPDATE
        ), changed AS (
            UPDATE workspace_tracked_repositories w
            SET sync_attempts = 0, next_sync_at = now(), last_sync_error = NULL
            FROM target t WHERE w.id = t.id
            RETURNING w.id, jsonb_build_object('sync_attempts', t.sync_attempts, 'next_sync_at', t.next_sync_at,
                                               'last_sync_error', t.last_sync_error) AS before,
                      jsonb_build_object('sync_attempts', w.sync_attempts, 'next_sync_at', w.next_sync_at,
                                         'last_sync_error', w.last_sync_error) AS after
        )
        \(RowChangeSQL.summary)
        """
    }

    static func resetSummary(_ affected: Int) -> String {
        "reset \(counted(affected, "sync")): attempts 0, due now, error cleared"
    }
}

/// Shared SQL of the row-changing operations.
enum RowChangeSQL {
    /// Ends a statement whose CTE `changed` returns `id`, `before` and `after`: the count and the undo record.
    static let summary: SQL = """
        SELECT count(*)::int AS affected, coalesce(array_agg(id ORDER BY id), '{}') AS ids,
               coalesce(jsonb_agg(jsonb_build_object('id', id, 'before', before, 'after', after)), '[]'::jsonb) AS rows
        FROM changed
        """
}
