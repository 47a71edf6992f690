import ArgumentParser
import SyncEngine

struct Failed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Failed syncs, most attempts first, then the latest failure.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Only this workspace (its id).", valueName: "id"))
    var workspace: String?

    @OptionGroup var format: JSONFlag

    func run() throws {
        let connection = try database.connect(readOnly: true)
        let rows = try FailedSync.fetch(connection, workspace: try workspace.map { try JobSelector.existingWorkspace($0, connection) })
        if format.json { return try Output.json(rows) }
        Output.table(["workspace", "repository", "sync_attempts", "last_attempt_at", "last_sync_error"], rows.map {
            [$0.workspace, $0.repository, String($0.syncAttempts), Output.timestamp($0.lastAttemptAt),
             $0.lastSyncError ?? ($0.queuedForRetry ? "(queued for retry: reset, not synced since)" : "")]
        })
    }
}
