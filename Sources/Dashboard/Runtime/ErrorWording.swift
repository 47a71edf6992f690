import Postgres
import SyncEngine

extension WSyncError {
    /// The dashboard's one line: the engine's cause, worded with the key that fixes it (there are no flags here).
    var dashboardMessage: String {
        switch self {
        case .notFound(let text, let hint), .refused(let text, let hint), .conflict(let text, let hint):
            text + (hint.map(Self.fix) ?? "")
        case .paused(let text): "\(text); u undoes the stop"
        case .databaseNotMigrated(let text): "\(text); this database needs wsync migrate"
        default: cause
        }
    }

    private static func fix(_ hint: Hint) -> String {
        switch hint {
        case .seeAuditLog: "; a shows the audit log"
        case .undoNewerFirst: "; undo the later actions first (a shows the audit log)"
        case .link: "; it needs wsync link first"
        case .refresh: "; the row may have gone: wait for the next refresh and try again"
        case .listWorkspaces: ""
        }
    }
}

enum ErrorWording {
    /// Engine and PostgreSQL errors in one line without secrets; a missing table means an unmigrated database.
    static func line(_ error: Error) -> String {
        switch error {
        case let error as WSyncError: error.dashboardMessage
        case let error as PostgresError where error.sqlState == .undefinedTable || error.sqlState == .undefinedColumn:
            WSyncError.databaseNotMigrated(error.description).dashboardMessage
        default: String(describing: error)
        }
    }
}
