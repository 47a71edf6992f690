import Foundation
import Postgres

extension Operations {
    /// The guide's reset of failed syncs: attempts 0, due now, error cleared, and a lease whose holder is gone
    /// (expired, or its worker dead) released. Undoable. Rows already reset (see `ResetRule`) are left alone, so a
    /// second reset changes nothing; the summary names what it changed and what it left.
    public func reset(_ selector: JobSelector) throws -> ActionOutcome {
        try validateActor()
        return try audited(.reset, selector.parameters) {
            try connection.transaction { connection in
                try Self.serializeActions(connection)
                return try applyRowChange(Self.resetStatement(try selector.resolvedCondition(connection)), field: .retryState,
                                          action: .reset, parameters: selector.parameters) { row, _ in try ResetRule.Result(row).summary }
            }
        }
    }

    /// The reset of the jobs matching `condition` (on alias `wtr`), ending in `RowChangeSQL.summary`'s columns and
    /// `ResetRule.Result`'s. With `leavingAlreadyReset` false (a retry, which syncs what it matched), every matching
    /// row is reset again.
    static func resetStatement(_ condition: SQL, leavingAlreadyReset: Bool = true) -> SQL {
        """
        WITH target AS (
            SELECT wtr.id, wtr.sync_attempts, wtr.next_sync_at, wtr.last_sync_error, wtr.lease_owner,
                   \(JobLeases.staleLease(deadAfter: LeaseSettings().deadAfter)) AS stale_lease,
                   (\(leavingAlreadyReset) AND \(ResetRule.alreadyReset)) AS already_reset
            FROM workspace_tracked_repositories wtr WHERE \(condition) FOR UPDATE
        ), changed AS (
            UPDATE workspace_tracked_repositories w
            SET sync_attempts = 0, next_sync_at = now(), last_sync_error = NULL,
                lease_owner = CASE WHEN t.stale_lease THEN NULL ELSE w.lease_owner END,
                lease_expires_at = CASE WHEN t.stale_lease THEN NULL ELSE w.lease_expires_at END
            FROM target t WHERE w.id = t.id AND NOT t.already_reset
            RETURNING w.id, t.stale_lease, t.lease_owner AS released_owner,
                      jsonb_build_object('sync_attempts', t.sync_attempts, 'next_sync_at', t.next_sync_at,
                                         'last_sync_error', t.last_sync_error) AS before,
                      jsonb_build_object('sync_attempts', w.sync_attempts, 'next_sync_at', w.next_sync_at,
                                         'last_sync_error', w.last_sync_error) AS after
        )
        SELECT count(*)::int AS affected, coalesce(array_agg(id ORDER BY id), '{}') AS ids,
               coalesce(jsonb_agg(jsonb_build_object('id', id, 'before', before, 'after', after)), '[]'::jsonb) AS rows,
               (SELECT count(*) FROM target WHERE already_reset)::int AS already_reset,
               count(*) FILTER (WHERE stale_lease)::int AS released,
               coalesce((SELECT array_agg(DISTINCT released_owner) FROM changed WHERE stale_lease), '{}') AS released_owners,
               \(ResetRule.names("SELECT id FROM changed")) AS changed_names,
               \(ResetRule.names("SELECT id FROM target WHERE already_reset")) AS already_names
        FROM changed
        """
    }
}

/// What a reset changes and how its result reads, for `wsync reset`, `wsync retry` and the dashboard's `r`/`R` alike.
public enum ResetRule {
    /// A row a reset would not change (alias `wtr`): no attempts, no error, due, and no lease left by a holder that
    /// is gone. A failed row in this state is queued for retry: its next sync decides.
    static let alreadyReset: SQL = """
        (coalesce(wtr.sync_attempts, 0) = 0 AND wtr.last_sync_error IS NULL
         AND (wtr.next_sync_at IS NULL OR wtr.next_sync_at <= clock_timestamp())
         AND NOT \(JobLeases.staleLease(deadAfter: LeaseSettings().deadAfter)))
        """

    /// A failed row a reset has cleared and no sync has run since (alias `wtr`): attempts 0 and no error.
    static let queuedForRetry: SQL = "(coalesce(wtr.sync_attempts, 0) = 0 AND wtr.last_sync_error IS NULL)"

    /// How many names a summary lists before "and N more".
    static let namesShown = 3

    /// "owner/name (workspace)" of the first jobs of `ids` (a subquery of ids), by name.
    static func names(_ ids: SQL, limit: Int = namesShown) -> SQL {
        """
        coalesce((SELECT array_agg(n.name ORDER BY n.name) FROM (
            SELECT coalesce(r.full_name, 'job ' || j.id) || ' (' || coalesce(ws.name, ws.slug, j.workspace_id::text) || ')' AS name
            FROM workspace_tracked_repositories j
            LEFT JOIN workspaces ws ON ws.id = j.workspace_id
            LEFT JOIN tracked_repositories tr ON tr.id = j.tracked_repository_id
            LEFT JOIN repositories r ON r.id = tr.repository_id
            WHERE j.id IN (\(ids))
            ORDER BY 1 LIMIT \(limit)) n), '{}')
        """
    }

    /// What one reset did, as its statement reports it.
    struct Result {
        var changed: Int
        var changedNames: [String]
        var alreadyReset: Int
        var alreadyNames: [String]
        var released: Int
        var releasedOwners: [String]

        init(_ row: Row) throws {
            changed = try row.decode("affected", as: Int.self)
            changedNames = try row.decode("changed_names", as: [String].self)
            alreadyReset = try row.decode("already_reset", as: Int.self)
            alreadyNames = try row.decode("already_names", as: [String].self)
            released = try row.decode("released", as: Int.self)
            releasedOwners = try row.decode("released_owners", as: [String].self)
        }

        /// "reset acme/api (acme): attempts 0, due now, error cleared; released the expired lease of worker-2",
        /// "nothing to reset: acme/api (acme) is already queued for retry (due now, attempts 0, no error)".
        var summary: String {
            guard changed > 0 else {
                if alreadyReset == 0 { return "nothing to reset: no sync matched" }
                let what = alreadyReset == 1 ? "\(alreadyNames.first ?? "the sync") is" : "all \(ResetRule.list(alreadyReset, alreadyNames, noun: "sync")) are"
                return "nothing to reset: \(what) already queued for retry (due now, attempts 0, no error)"
            }
            var text = "reset \(changed == 1 ? changedNames.first ?? "1 sync" : ResetRule.list(changed, changedNames, noun: "sync")): attempts 0, due now, error cleared"
            if released > 0 {
                let owners = releasedOwners.sorted().map(SafeText.line).joined(separator: ", ")
                text += released == 1 ? "; released the lease \(owners) left behind" : "; released \(released) leases left behind (\(owners))"
            }
            if alreadyReset > 0 {
                text += "; left \(ResetRule.list(alreadyReset, alreadyNames, noun: "sync")) alone, already queued for retry"
            }
            return text
        }
    }

    /// "3 syncs (a (w), b (w), c (w))", "12 syncs (a (w), b (w), c (w) and 9 more)".
    static func list(_ count: Int, _ names: [String], noun: String) -> String {
        let shown = names.prefix(namesShown).joined(separator: ", ")
        let more = count > names.count ? " and \(count - names.count) more" : ""
        return "\(counted(count, noun))" + (shown.isEmpty ? "" : " (\(shown)\(more))")
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
