import Foundation
import SyncEngine

extension DatabaseEffects {
    /// `s` and `S`: the manual sync `wsync sync` runs, audited the same way. It runs beside the screen and the
    /// other operations; progress shows as the operation in flight, the result as a message when it ends.
    func sync(_ operation: Operation) {
        let selection: SyncSelection
        switch operation {
        case .syncRow(let row): selection = SyncSelection(jobIDs: [row.jobId])
        case .syncWorkspace(let workspaceId, _): selection = SyncSelection(workspaceID: workspaceId)
        default: preconditionFailure("\(operation.summary) is not a sync")
        }
        let (github, actor, database) = (self.github, self.actor, configuration)
        Task.detached { [self] in
            let event: Event
            do {
                let manual = ManualSync(database: database, github: try github.get())
                let result = try await manual.syncNow(selection, actor: actor)
                event = .operationFinished(operation, OperationOutcome(message: Self.describe(result)))
            } catch {
                event = .operationFailed(operation, message: Self.describe(error))
            }
            requestRefresh()
            inbox?.post(event)
        }
    }

    /// "synced 1 repository: 1 success, 42 issues stored, 1 API call (action 17)", naming the first error if any.
    static func describe(_ result: SyncNowResult) -> String {
        let counts = Dictionary(grouping: result.results, by: \.status).mapValues(\.count)
        var parts = ["synced \(result.repositoriesProcessed) \(result.repositoriesProcessed == 1 ? "repository" : "repositories"):"]
        parts.append(["success", "partial", "failed"].compactMap { status in counts[status].map { "\($0) \(status)" } }
            .joined(separator: ", ") + ",")
        parts.append("\(result.totalIssuesSynced) issues stored, \(result.apiCalls) API calls")
        if let id = result.auditID { parts.append("(action \(id))") }
        if let error = result.results.first(where: { $0.error != nil })?.error { parts.append("— \(error)") }
        if !result.skippedBusy.isEmpty { parts.append("; \(result.skippedBusy.count) left to the worker syncing them") }
        return parts.joined(separator: " ")
    }
}
