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
        case .reset(let rows): outcome = try operations.reset(.jobs(rows.map(\.jobId)))
        case .resetAllFailed: outcome = try operations.reset(.allFailed)
        case .stopAll(let reason): outcome = try operations.stopAll(reason: reason)
        case .slowDown: outcome = try operations.slowDown()
        case .undo(let action): outcome = try operations.undo(actionID: action.actionId)
        case .syncRow, .syncRows, .syncWorkspace:
            preconditionFailure("syncs run through sync(_:), not on the operations connection")
        }
        var message = outcome.summary
        if let id = outcome.actionId { message += " (action \(id))" }
        if !outcome.skipped.isEmpty { message += "; left alone: \(outcome.skipped.joined(separator: ", "))" }
        let undoable = outcome.actionId.flatMap { id in outcome.undoable ? UndoableAction(actionId: id, summary: outcome.summary) : nil }
        return OperationOutcome(message: message, undoable: undoable)
    }
}

extension DatabaseEffects {
    /// The engine's count and API cost for what `operation` would sync, as `wsync sync`, `reset` and `retry` ask it.
    static func estimate(_ operation: Operation, _ connection: Connection) throws -> SyncEstimate {
        switch operation {
        case .reset(let rows) where rows.count == 1: try SyncEstimate.forReset(.job(rows[0].jobId), connection)
        case .reset(let rows): try SyncEstimate.forReset(.jobs(rows.map(\.jobId)), connection)
        case .resetAllFailed: try SyncEstimate.forReset(.allFailed, connection)
        case .syncRow, .syncRows, .syncWorkspace: try SyncEstimate.forSync(operation.syncSelection!, connection)
        case .stopAll, .slowDown, .undo: throw WSyncError.refused("\(operation.summary) syncs nothing: there is no API cost to estimate")
        }
    }
}
