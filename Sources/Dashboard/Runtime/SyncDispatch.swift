import Foundation
import SyncEngine

extension Operation {
    /// What `s` or `S` syncs; nil for the operations that are one quick transaction on the operations connection.
    var syncSelection: SyncSelection? {
        switch self {
        case .syncRow(let row): SyncSelection(jobIDs: [row.jobId])
        case .syncRows(let rows): SyncSelection(jobIDs: rows.map(\.jobId))
        case .syncWorkspace(let workspaceId, _): SyncSelection(workspaceID: workspaceId)
        default: nil
        }
    }
}

extension DatabaseEffects {
    /// `s` and `S`: the manual sync `wsync sync` runs, audited the same way. It runs beside the screen and the
    /// other operations, off the UI thread; the result comes back as a message when it ends.
    func sync(_ operation: Operation) {
        guard let selection = operation.syncSelection else { return }
        let (github, actor, database) = (self.github, self.actor, configuration)
        Task.detached { [self] in
            let event: Event
            do {
                let configuration = try github.get()
                let result = try await ManualSync(database: database, github: configuration).syncNow(selection, actor: actor)
                // Without a token the message says so first: GitHub then allows 60 requests an hour.
                let message = (configuration.warnings + [Self.message(result, for: operation)]).joined(separator: "; ")
                event = .operationFinished(operation, OperationOutcome(message: message))
            } catch {
                event = .operationFailed(operation, message: ErrorWording.line(error))
            }
            requestRefresh()
            inbox?.post(event)
        }
    }

    /// What was synced, named first ("synced 1 repository, acme/api (acme): 1 success, …"), with the audit id, the
    /// first error and any rows left to a busy worker.
    static func message(_ result: SyncNowResult, for operation: Operation) -> String {
        let target = switch operation {
        case .syncRow(let row): "\(row.repository) (\(row.workspace))"
        case .syncRows(let rows): "\(rows.count) selected rows"
        case .syncWorkspace(_, let name): "workspace \(name)"
        default: operation.summary
        }
        var parts = ["synced \(result.repositoriesText), \(target): \(result.outcomeText)"]
        if let id = result.auditID { parts.append("(action \(id))") }
        if let error = result.results.first(where: { $0.error != nil })?.error { parts.append("— \(error)") }
        if !result.skippedBusy.isEmpty { parts.append("; \(result.skippedBusy.count) left to the worker syncing them") }
        return parts.joined(separator: " ")
    }
}
