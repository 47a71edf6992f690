import ArgumentParser
import SyncEngine

struct Stuck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stuck syncs: active rows overdue by more than --older-than (the guide's query); --include-expired-leases adds rows whose worker died.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("How far past next_sync_at counts as stuck (e.g. 30m, 2h, 1d).", valueName: "span"))
    var olderThan: TimeSpan = .hours(2)

    @Option(help: "At most this many rows.")
    var limit = 10

    @Flag(help: "Also due rows whose worker's lease expired (what the dashboard's Stuck repos pane shows).")
    var includeExpiredLeases = false

    @OptionGroup var format: JSONFlag

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let rows = try StuckSync.fetch(database.connect(readOnly: true), olderThan: olderThan, limit: limit,
                                       includeExpiredLeases: includeExpiredLeases)
        if format.json { return try Output.json(rows) }
        Output.table(["full_name", "workspace", "last_sync_at", "sync_attempts", "overdue_h", "reason", "lease_owner"], rows.map {
            [$0.fullName, $0.workspace, Output.timestamp($0.lastSyncAt), String($0.syncAttempts),
             $0.overdueHours.map { String(format: "%.1f", $0) } ?? "", $0.reason.rawValue, $0.leaseOwner ?? ""]
        })
    }
}
