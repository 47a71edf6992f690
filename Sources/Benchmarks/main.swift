import Foundation
import Postgres
import SyncEngine

// Measures the choices wsync's speed rests on, each beside the alternative it replaced, on a throwaway PostgreSQL
// seeded like the demo at growing sizes. Run: `swift run -c release wsync-benchmarks [--iterations N]`.

let iterations = CommandLine.arguments.firstIndex(of: "--iterations")
    .flatMap { CommandLine.arguments.dropFirst($0 + 1).first }.flatMap(Int.init) ?? 30
let scales = [40, 400, 4_000]  // workspaces; about 7.5 sync jobs each

/// Median wall time of `body` in milliseconds, after a few warm-up runs.
func median(_ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<3 { try body() }
    var samples: [Double] = []
    for _ in 0..<iterations {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
    }
    return samples.sorted()[samples.count / 2]
}

func row(_ cells: [String]) {
    let widths = [34, 8, 12, 12, 8]
    print(zip(cells, widths).enumerated().map { index, pair in
        index == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                   : String(repeating: " ", count: max(0, pair.1 - pair.0.count)) + pair.0
    }.joined(separator: " "))
}

func compare(_ name: String, jobs: Int, wsync: () throws -> Double, alternative: () throws -> Double) rethrows {
    let (a, b) = (try wsync(), try alternative())
    row([name, String(jobs), String(format: "%.2f ms", a), String(format: "%.2f ms", b), String(format: "%.1f×", b / a)])
}

/// The panes read one at a time: what a dashboard without the combined snapshot would do on every refresh.
func panesOneByOne(_ connection: Connection) throws {
    _ = try SyncStatus.fetch(connection)
    _ = try FailedSync.fetch(connection, limit: 200)
    _ = try StuckSync.fetch(connection, olderThan: .hours(2), limit: 50, includeExpiredLeases: true)
    _ = try RateLimitGauge.fetch(connection)
    _ = try TierUsage.fetch(connection)
    _ = try AuditLog.entries(connection, limit: 20)
}

/// Runs `body` with the hot-query indexes of migration 3 dropped, then puts them back (DDL is transactional).
func withoutHotIndexes<T>(_ connection: Connection, _ body: () throws -> T) throws -> T {
    try connection.executeScript("BEGIN")
    defer { try? connection.executeScript("ROLLBACK") }
    try connection.executeScript("""
        DROP INDEX wsync_wtr_due_idx, wsync_wtr_failed_idx, wsync_wtr_lease_idx, wsync.wsync_sync_runs_started_idx,
                   wsync.wsync_rate_limit_observed_idx, wsync.wsync_audit_log_at_idx
        """)
    return try body()
}

do {
    let cluster = try ThrowawayCluster(prefix: "wsync-bench")
    defer { cluster.stop() }
    print("wsync benchmarks: median of \(iterations) runs; ratio = alternative ÷ wsync (higher is better for wsync)\n")
    row(["benchmark", "jobs", "wsync", "alternative", "ratio"])
    for workspaces in scales {
        let name = "bench_\(workspaces)"
        try Connection(cluster.configuration()).execute("CREATE DATABASE \(identifier: SQLIdentifier(name))")
        let connection = try Connection(cluster.configuration(database: name))
        _ = try Migrator(connection: connection).migrate()
        let jobs = try DemoSeed.seed(connection, options: .init(workspaces: workspaces, includeIssues: false)).jobs
        try connection.executeScript("ANALYZE")
        let snapshot = { try median { _ = try DashboardSnapshot.fetch(connection) } }
        try compare("refresh: 1 statement vs 6 queries", jobs: jobs, wsync: snapshot,
                    alternative: { try median { try panesOneByOne(connection) } })
        try compare("refresh: hot indexes vs none", jobs: jobs, wsync: snapshot,
                    alternative: { try withoutHotIndexes(connection, snapshot) })
        // Where a refresh spends its time, pane by pane.
        let panes: [(String, () throws -> Void)] = [
            ("status", { _ = try SyncStatus.fetch(connection) }),
            ("failed", { _ = try FailedSync.fetch(connection, limit: 200) }),
            ("stuck", { _ = try StuckSync.fetch(connection, olderThan: .hours(2), limit: 50, includeExpiredLeases: true) }),
            ("rate limit", { _ = try RateLimitGauge.fetch(connection) }),
            ("tiers", { _ = try TierUsage.fetch(connection) }),
        ]
        for (pane, fetch) in panes {
            row(["  pane: \(pane)", String(jobs), String(format: "%.2f ms", try median(fetch)), "", ""])
        }
    }
} catch {
    FileHandle.standardError.write(Data("wsync-benchmarks: \(error)\n".utf8))
    exit(2)
}
