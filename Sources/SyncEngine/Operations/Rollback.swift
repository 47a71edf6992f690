import Foundation
import Postgres

extension Operations {
    /// The tables the guide's rollback may drop.
    public static let rollbackTables = ["workspace_tracked_repositories", "daily_activity_metrics", "workspace_issues_cache"]

    /// The guide's rollback: disables all syncing (every job inactive, the pause switch set; undoable like a
    /// stop-all). With `dropTables`, also drops the guide's tables — only when `confirmDatabase` is exactly the
    /// connected database's name; that cannot be undone.
    public func rollback(dropTables: Bool = false, confirmDatabase: String? = nil) throws -> ActionOutcome {
        try validateActor()
        if dropTables {
            let name = connection.databaseName
            guard confirmDatabase == name else {
                throw WSyncError.invalidInput(.confirmDatabase, value: "", rule: "must be the database name typed exactly (\(name)) to drop tables; nothing was changed")
            }
        }
        return try audited(.rollback, ["drop_tables": String(dropTables)]) { try connection.transaction { connection in
            try Self.serializeActions(connection)
            var outcome = try deactivate(where: "true", action: .rollback,
                                         parameters: ["drop_tables": String(dropTables)]) { affected in
                "rolled back: \(counted(affected, "active sync")) disabled, syncing paused"
                    + (dropTables ? "; dropped \(Self.rollbackTables.joined(separator: ", "))" : "")
            }
            try setPause(reason: "rollback", actionID: outcome.actionId, connection)
            if dropTables {
                try connection.executeScript("""
                    DROP TABLE IF EXISTS workspace_tracked_repositories, daily_activity_metrics, workspace_issues_cache CASCADE
                    """)
                // The recorded jobs are gone with their table: this rollback cannot be undone.
                try connection.execute("UPDATE wsync.audit_log SET undoable = false WHERE id = \(outcome.actionId)")
                try connection.execute("UPDATE wsync.pause SET action_id = NULL")
                outcome.summary += " (cannot be undone)"
                outcome.undoable = false
            }
            return outcome
        } }
    }
}
