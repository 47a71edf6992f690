import Foundation
import Postgres
import SyncEngine

extension DatabaseEffects {
    /// Each dashboard operation is the engine function its CLI command calls, writing the same audit entry.
    func perform(_ operation: Operation, on connection: Connection) throws -> OperationOutcome {
        let operations = Operations(connection: connection, actor: actor)
        let outcome: ActionOutcome
        switch operation {
        case .reset(let rows) where rows.count == 1: outcome = try operations.reset(.job(rows[0].jobId))
        case .reset:
            throw WSyncError("resetting a whole error group needs a multi-job selector in the engine, which main does not have yet; reset its rows with r, or all failed rows with R")
        case .resetAllFailed: outcome = try operations.reset(.allFailed)
        case .stopAll(let reason): outcome = try operations.stopAll(reason: reason)
        case .slowDown: outcome = try operations.slowDown()
        case .undo(let action): outcome = try operations.undo(actionID: action.actionId)
        case .syncRow, .syncWorkspace:
            throw WSyncError("syncing from the dashboard needs the sync engine, which is not on main yet; run wsync worker")
        }
        var message = outcome.summary
        if let id = outcome.actionId { message += " (action \(id))" }
        if !outcome.skipped.isEmpty { message += "; left alone: \(outcome.skipped.joined(separator: ", "))" }
        // Undo entries are not themselves undoable; every other audited change is.
        let undoable = outcome.actionId.flatMap { id in
            outcome.action == .undo || outcome.action == .resume ? nil : UndoableAction(actionId: id, summary: outcome.summary)
        }
        return OperationOutcome(message: message, undoable: undoable)
    }
}
