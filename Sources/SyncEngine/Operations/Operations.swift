import Foundation
import Postgres

/// The operator's changes, one function each, shared by the CLI and the dashboard's keys. Each function validates
/// its input first, then makes its change and writes its audit entry in one transaction, and returns what changed.
/// Not `Sendable`: it holds a connection, which stays on the thread that lent it (see `DatabaseQueue.run`).
public struct Operations {
    public let connection: Connection
    /// Who acts, as the audit log records it.
    public let actor: String

    public init(connection: Connection, actor: String) {
        self.connection = connection
        self.actor = actor
    }
}

/// What one operation changed.
public struct ActionOutcome: Codable, Sendable, Equatable {
    /// The audit entry; nil for a dry run, which records nothing.
    public var actionId: Int64?
    public var action: AuditAction
    public var affectedRows: Int
    /// One line for the operator, e.g. "reset 3 failed syncs".
    public var summary: String
    /// Repositories an undo or resume left alone because an operator changed them since.
    public var skipped: [String]
    /// `wsync undo` can reverse it.
    public var undoable: Bool
    /// The jobs a row-changing action changed (what a retry then syncs).
    public var jobIds: [UUID]

    public init(actionId: Int64?, action: AuditAction, affectedRows: Int, summary: String, skipped: [String] = [],
                undoable: Bool = false, jobIds: [UUID] = []) {
        self.jobIds = jobIds
        self.actionId = actionId
        self.action = action
        self.affectedRows = affectedRows
        self.summary = summary
        self.skipped = skipped
        self.undoable = undoable
    }
}

extension Operations {
    /// Runs a change statement that returns `affected` and `rows` (before/after values, see
    /// `AuditLog.PreviousState`), records it as an undoable action, and returns the outcome.
    func applyRowChange(_ statement: SQL, field: RestorableField, action: AuditAction, parameters: [String: String],
                        summary: (Int) -> String) throws -> ActionOutcome {
        try applyRowChange(statement, field: field, action: action, parameters: parameters) { _, affected in summary(affected) }
    }

    /// The same, with a summary read from the statement's row (which may say more than the count).
    func applyRowChange(_ statement: SQL, field: RestorableField, action: AuditAction, parameters: [String: String],
                        summary: (Row, Int) throws -> String) throws -> ActionOutcome {
        try connection.transaction { connection in
            try Self.serializeActions(connection)
            let row = try connection.query(statement)[0]
            let affected = try row.decode("affected", as: Int.self)
            let text = try summary(row, affected)
            let previousState = AuditLog.PreviousState(field: field, rows: try row.decode("rows", as: JSONText.self))
            let id = try AuditLog.record(connection, actor: actor, action: action, parameters: parameters, summary: text,
                                         affectedRows: affected, previousState: previousState)
            return ActionOutcome(actionId: id, action: action, affectedRows: affected, summary: text,
                                 undoable: AuditLog.isUndoable(action, previousState: previousState, affectedRows: affected),
                                 jobIds: try row.decode("ids", as: [UUID].self))
        }
    }

    /// Operator actions run one after another: each takes this transaction-scoped lock before it reads anything, so
    /// it decides on what every earlier action committed. Without it, a resume could check that no other stop-all
    /// is in effect, then clear the pause switch a concurrent stop-all had just set, leaving that emergency stop in
    /// effect with syncing running. Workers never take it: their writes are fenced by the lease and an undo skips
    /// rows they changed.
    static let actionLockKey = 7_283_640_118

    static func serializeActions(_ connection: Connection) throws {
        try connection.execute("SELECT pg_advisory_xact_lock(\(actionLockKey))")
    }

    /// Runs one operation; when it was attempted and failed (anything but bad input or an unknown id), the audit log
    /// records it as failed — actor, parameters, error — after its transaction rolled back.
    func audited<T>(_ action: AuditAction, _ parameters: [String: String], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            if AuditLog.isAttempt(error) {
                AuditLog.recordFailure(connection, actor: actor, action: action, parameters: parameters, error: error)
            }
            throw error
        }
    }

    /// Checks the actor before anything is read or written.
    func validateActor() throws {
        _ = try AuditLog.validatedActor(actor)
    }
}

/// Pluralizes a count for summaries: `counted(3, "sync")` is "3 syncs".
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
