import ArgumentParser
import Foundation
import SyncEngine

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Morning health check: the guide's four health numbers and what else on-call needs.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var format: JSONFlag

    func run() throws {
        let status = try SyncStatus.fetch(database.connect(readOnly: true))
        if format.json { return try Output.json(status) }
        let health = status.health
        let percent = status.freshness.map { String(format: "%.0f%%", $0 * 100) } ?? "n/a"
        let rows: [(String, String)] = [
            ("total_workspaces (active rows)", String(health.totalWorkspaces)),
            ("successful", String(health.successful)),
            ("failed", String(health.failed)),
            ("avg_hours_since_sync", health.avgHoursSinceSync.map(String.init) ?? "n/a"),
            ("partial", String(status.partial)),
            ("never synced", String(status.neverSynced)),
            ("due now", String(status.dueNow)),
            ("syncing now (leased)", String(status.syncingNow)),
            ("inactive", String(status.inactive)),
            ("fresh (synced within frequency)", percent),
            ("runs / failed runs last hour", "\(status.runsLastHour) / \(status.failedRunsLastHour)"),
            ("issues stored last hour", String(status.issuesLastHour)),
            ("global pause", status.pause.isPaused
                ? "PAUSED since \(Output.timestamp(status.pause.pausedAt)) by \(status.pause.pausedBy ?? "?"): \(status.pause.reason ?? "")"
                : "off"),
        ]
        Output.table(["measure", "value"], rows.map { [$0.0, $0.1] })
        let alive = status.workers.filter { $0.state == .alive }.count
        print("\nworkers: \(alive) alive of \(status.workers.count) listed (wsync workers shows each)")
        Output.claims(dueNow: status.dueNow, blockers: status.claimBlockers)
    }
}
