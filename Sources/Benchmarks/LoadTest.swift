import Foundation
import GitHubSimulator
import Postgres
import SyncEngine

/// `wsync-benchmarks load`: real `wsync worker` processes against the simulator and a throwaway PostgreSQL for a
/// stretch of time, with jobs made due again as fast as the workers take them and GitHub data changing meanwhile.
/// Correctness, not speed: it fails (exit 1) on any error, connection leak, double sync, duplicate or lost update;
/// resident memory that grows is reported, and fails the full run.
enum LoadTest {
    static let help = """
        USAGE: swift run -c release wsync-benchmarks load [--quick] [--workers N] [--concurrency N] [--jobs N]
                                                          [--seconds N] [--output DIR]

        Starts N `wsync worker` processes (default 8) of --concurrency slots (default 8) against the GitHub simulator
        (20 ms per request) and a throwaway PostgreSQL holding --jobs jobs (default 10,000), for --seconds (default
        600). Every second it makes due again the jobs synced longest ago (keeping a backlog of due jobs, so every
        slot stays busy) and edits or adds issues in 20 repositories. Every 5 seconds it counts the server's client
        connections and each worker's resident memory. Then it stops the workers (SIGTERM), syncs everything once
        more, and compares every stored issue with GitHub's.

        It fails (exit 1) when: a run failed or was aborted, a worker logged a database error or exited non-zero, two
        runs of one job overlapped (a double sync), an issue is stored twice or differs from GitHub (a lost update),
        more connections were open than the workers' slots need, or any stayed open after the workers stopped. The
        full run also fails when a worker's resident memory grew by more than 25 % (and 16 MiB) between the end of
        the first fifth and the end. --quick: 2,000 jobs for 40 seconds, under two minutes with the setup (CI).

        Writes DIR/LOAD.md and DIR/load.json (DIR: the current directory). Needs the wsync binary beside this one.
        """

    struct Settings: Codable {
        var workers = 8
        var concurrency = 8
        var jobs = 10_000
        var seconds = 600
        var quick = false
    }

    struct Sample: Codable {
        var second: Int
        var connections: Int
        var residentMiB: [Double]
        var runs: Int
        var due: Int
    }

    struct Outcome: Codable {
        var settings: Settings
        var date: String
        var commit: String
        var machine: String
        var runs: Int
        var runsByStatus: [String: Int]
        var runsPerSecond: Double
        var issuesStored: Int
        var apiCalls: Int
        var errors: [String]
        var connectionsBefore: Int
        var connectionsMaxDuring: Int
        var connectionsAllowed: Int
        var connectionsAfter: Int
        var doubleSyncs: Int
        var duplicateIssues: Int
        var lostUpdates: Int
        var issuesCompared: Int
        var memoryGrowthMiB: [Double]
        var memoryFlat: Bool
        var samples: [Sample]
        var failures: [String]
    }

    static func main(_ arguments: [String]) async -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(help)
            return 0
        }
        var settings = Settings()
        func value(_ option: String) -> String? { arguments.firstIndex(of: option).flatMap { arguments.dropFirst($0 + 1).first } }
        if arguments.contains("--quick") {
            settings.quick = true
            settings.jobs = 2_000
            settings.seconds = 40
        }
        for (option, path) in [("--workers", \Settings.workers), ("--concurrency", \.concurrency), ("--jobs", \.jobs), ("--seconds", \.seconds)] {
            guard let text = value(option) else { continue }
            guard let number = Int(text), number > 0 else {
                say("wsync-benchmarks load: \(option) takes a positive number")
                return 2
            }
            settings[keyPath: path] = number
        }
        let output = URL(fileURLWithPath: value("--output") ?? FileManager.default.currentDirectoryPath)
        // main.swift's globals are not set yet: `load` runs before them.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("wsync")
        guard FileManager.default.isExecutableFile(atPath: beside.path) else {
            say("wsync-benchmarks load: no wsync binary beside this one; run `swift build -c release` first")
            return 2
        }
        do {
            let outcome = try await run(settings, wsync: beside)
            try markdown(outcome).write(to: output.appendingPathComponent("LOAD.md"), atomically: true, encoding: .utf8)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(outcome).write(to: output.appendingPathComponent("load.json"))
            say("wrote \(output.appendingPathComponent("LOAD.md").path) and load.json")
            if outcome.failures.isEmpty {
                say("load: PASSED")
                return 0
            }
            for failure in outcome.failures { say("load: FAILED: \(failure)") }
            return 1
        } catch {
            say("wsync-benchmarks load: \(error)")
            return 2
        }
    }

    static let token = "load-token"
    static let databaseName = "load"
    static let shutdownReason = "the worker is shutting down; the next run resumes"

    private static func run(_ settings: Settings, wsync: URL) async throws -> Outcome {
        say("load: \(settings.workers) workers × \(settings.concurrency) slots, \(settings.jobs) jobs, \(settings.seconds) s")
        let cluster = try ThrowawayCluster(prefix: "wsync-load")
        defer { cluster.stop() }
        let simulator = try await GitHubSimulator.start(.init(
            token: token, rateLimit: .init(limit: 1_000_000_000), latency: .milliseconds(20)))
        defer { Task { await simulator.stop() } }

        try Connection(cluster.configuration()).execute("CREATE DATABASE \(identifier: SQLIdentifier(databaseName))")
        var configuration = cluster.configuration(database: databaseName)
        configuration.applicationName = "wsync-load-monitor"
        let monitor = try Connection(configuration)
        _ = try Migrator(connection: monitor).migrate()
        say("load: seeding \(settings.jobs) repositories on the simulator and their jobs…")
        for index in 0..<settings.jobs {
            _ = await simulator.addRepository("load/repo-\(index)", id: Int64(1_000_000 + index), issueCount: 5, pullRequestEvery: 0,
                                              spreadDays: 20)
        }
        try seed(monitor, jobs: settings.jobs)

        let connections: SQL = """
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = \(databaseName) AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            """
        func count(_ sql: SQL) throws -> Int { try monitor.query(sql)[0].decode("n") }
        let connectionsBefore = try count(connections)
        // Each worker: one control connection and one per slot.
        let allowed = connectionsBefore + settings.workers * (settings.concurrency + 1)

        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("wsync-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: logs) }
        let environment = [
            "DATABASE_URL": cluster.url(database: databaseName), "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": token,
        ]
        let workers = try (0..<settings.workers).map { index in
            try Child(wsync, ["worker", "--concurrency", String(settings.concurrency), "--rate-limit-reserve", "0", "--poll-seconds", "1"],
                      environment: environment, log: logs.appendingPathComponent("worker-\(index).log"))
        }

        var samples: [Sample] = []
        var generator = SystemRandomNumberGenerator()
        let started = Date()
        var nextSample = 0
        var nextReport = 30
        while Date().timeIntervalSince(started) < Double(settings.seconds) {
            let second = Int(Date().timeIntervalSince(started))
            // Keep a backlog of due jobs: those synced longest ago come due again.
            let due = try count("""
                SELECT count(*)::int AS n FROM workspace_tracked_repositories WHERE next_sync_at <= now() AND lease_owner IS NULL
                """)
            let backlog = settings.workers * settings.concurrency * 4
            if due < backlog {
                try monitor.execute("""
                    UPDATE workspace_tracked_repositories SET next_sync_at = now()
                    WHERE id IN (SELECT id FROM workspace_tracked_repositories WHERE next_sync_at > now()
                                 ORDER BY last_sync_at NULLS FIRST LIMIT \(backlog - due))
                    """)
            }
            // GitHub changes meanwhile: edits (retitles, closes, reopens, comments) and new issues.
            for _ in 0..<20 {
                let name = "load/repo-\(Int.random(in: 0..<settings.jobs, using: &generator))"
                if Bool.random(using: &generator) {
                    try await simulator.simulateActivity(in: name, edits: 2)
                } else {
                    try await simulator.addIssues(to: name, count: 1)
                }
            }
            if second >= nextSample {
                nextSample = second + 5
                samples.append(Sample(
                    second: second, connections: try count(connections),
                    residentMiB: workers.map { Double(residentKiB($0.pid) ?? 0) / 1024 },
                    runs: try count("SELECT count(*)::int AS n FROM wsync.sync_runs"), due: due))
            }
            if second >= nextReport {
                nextReport = second + 30
                let last = samples.last!
                say("load: \(second) s: \(last.runs) runs, \(last.connections) connections, RSS "
                    + last.residentMiB.map { String(format: "%.0f", $0) }.joined(separator: "/") + " MiB")
            }
            if let dead = workers.first(where: { !$0.isRunning }) {
                say("load: a worker exited early: \(dead.log)")
                break
            }
            try await Task.sleep(for: .seconds(1))
        }
        let elapsed = Date().timeIntervalSince(started)
        say("load: stopping the workers…")
        for worker in workers { worker.signal(SIGTERM) }
        var errors: [String] = []
        for (index, worker) in workers.enumerated() {
            let status = await worker.exitStatus(timeout: 120)
            if status != 0 { errors.append("worker \(index) exited \(status.map(String.init) ?? "(did not exit)")") }
            if status == nil { worker.signal(SIGKILL) }
        }
        var connectionsAfter = try count(connections)
        for _ in 0..<50 where connectionsAfter > connectionsBefore {
            try await Task.sleep(for: .milliseconds(100))
            connectionsAfter = try count(connections)
        }

        // Everything due once more, synced by one more worker: then every stored issue must be GitHub's.
        say("load: a last pass to bring every job up to date, then the comparison with GitHub…")
        let workRuns: Int = try count("SELECT count(*)::int AS n FROM wsync.sync_runs")
        try monitor.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now()")
        let final = try Child(wsync, ["worker", "--once", "--concurrency", String(settings.concurrency), "--rate-limit-reserve", "0"],
                              environment: environment, log: logs.appendingPathComponent("final.log"))
        let finalStatus = await final.exitStatus(timeout: 1800)
        if finalStatus != 0 { errors.append("the last pass exited \(finalStatus.map(String.init) ?? "(did not exit)")") }

        for (index, worker) in (workers + [final]).enumerated() {
            let lines = worker.logText.split(separator: "\n").filter { $0.contains("retrying") }
            errors += lines.prefix(5).map { "worker \(index): \($0)" }
        }
        let statuses = try monitor.query("SELECT status, count(*)::int AS n FROM wsync.sync_runs GROUP BY status")
        var byStatus: [String: Int] = [:]
        for row in statuses { byStatus[try row.decode("status")] = try row.decode("n") }
        let bad = try monitor.query("""
            SELECT status, error, count(*)::int AS n FROM wsync.sync_runs
            WHERE status IN ('failed', 'aborted', 'running') OR (status = 'partial' AND error IS DISTINCT FROM \(shutdownReason))
            GROUP BY status, error ORDER BY n DESC LIMIT 10
            """)
        for row in bad {
            errors.append("\(try row.decode("n", as: Int.self)) runs \(try row.decode("status", as: String.self)): "
                + (try row.decode("error", as: String?.self) ?? ""))
        }
        let doubles = try count("""
            SELECT count(*)::int AS n FROM wsync.sync_runs a JOIN wsync.sync_runs b ON b.job_id = a.job_id AND b.id > a.id
            WHERE b.started_at < coalesce(a.finished_at, 'infinity') AND a.started_at < coalesce(b.finished_at, 'infinity')
            """)
        let duplicates = try count("SELECT (count(*) - count(DISTINCT github_id))::int AS n FROM issues")
        let (compared, lost) = try await compare(monitor, simulator: simulator, jobs: settings.jobs)
        let totals = try monitor.query("""
            SELECT coalesce(sum(issues_stored), 0)::int AS stored, coalesce(sum(api_calls), 0)::int AS calls FROM wsync.sync_runs
            """)[0]

        // Memory: the end against the end of the first fifth (after the caches filled).
        let warm = samples.first { Double($0.second) >= elapsed / 5 } ?? samples.first
        let growth = workers.indices.map { index in (samples.last?.residentMiB[index] ?? 0) - (warm?.residentMiB[index] ?? 0) }
        let flat = workers.indices.allSatisfy { index in
            let start = warm?.residentMiB[index] ?? 0
            return growth[index] <= max(16, start * 0.25)
        }
        let maxDuring = samples.map(\.connections).max() ?? 0

        var failures: [String] = []
        if !errors.isEmpty { failures.append("\(errors.count) errors: " + errors.prefix(5).joined(separator: "; ")) }
        if doubles > 0 { failures.append("\(doubles) double syncs (overlapping runs of one job)") }
        if duplicates > 0 { failures.append("\(duplicates) issues stored twice") }
        if lost > 0 { failures.append("\(lost) issues differ from GitHub (lost updates)") }
        if maxDuring > allowed { failures.append("\(maxDuring) connections during the run; the workers' slots need \(allowed)") }
        if connectionsAfter != connectionsBefore { failures.append("\(connectionsAfter) connections after the workers stopped, \(connectionsBefore) before") }
        if !flat {
            let text = "resident memory grew: " + growth.map { String(format: "%+.1f MiB", $0) }.joined(separator: ", ")
            if settings.quick { say("load: (not judged in a quick run) \(text)") } else { failures.append(text) }
        }
        return Outcome(
            settings: settings, date: ISO8601DateFormatter().string(from: Date()),
            commit: shell("git describe --always --dirty --abbrev=7"), machine: machine(),
            runs: workRuns, runsByStatus: byStatus, runsPerSecond: Double(workRuns) / elapsed,
            issuesStored: try totals.decode("stored"), apiCalls: try totals.decode("calls"), errors: errors,
            connectionsBefore: connectionsBefore, connectionsMaxDuring: maxDuring, connectionsAllowed: allowed,
            connectionsAfter: connectionsAfter, doubleSyncs: doubles, duplicateIssues: duplicates, lostUpdates: lost,
            issuesCompared: compared, memoryGrowthMiB: growth, memoryFlat: flat, samples: samples, failures: failures)
    }

    /// Workspaces of 100 jobs each, every job due now.
    private static func seed(_ connection: Connection, jobs: Int) throws {
        try connection.execute("""
            INSERT INTO workspaces (name, slug, tier, owner_id, max_repositories)
            SELECT 'Load ' || w, 'load-' || w, 'pro', gen_random_uuid(), 100 FROM generate_series(0, (\(jobs) - 1) / 100) w
            """)
        try connection.execute("""
            INSERT INTO repositories (github_id, full_name, owner, name)
            SELECT 1000000 + g, 'load/repo-' || g, 'load', 'repo-' || g FROM generate_series(0, \(jobs) - 1) g
            """)
        try connection.execute("INSERT INTO tracked_repositories (repository_id) SELECT id FROM repositories")
        try connection.execute("""
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, data_retention_days, priority_score,
                                                        next_sync_at, added_by)
            SELECT w.id, tr.id, 30, 50, now(), w.owner_id
            FROM tracked_repositories tr JOIN repositories r ON r.id = tr.repository_id
            JOIN workspaces w ON w.slug = 'load-' || ((r.github_id - 1000000) / 100)
            """)
        try connection.executeScript("VACUUM ANALYZE")
    }

    /// Every issue GitHub serves against the stored row: (compared, differing or missing).
    private static func compare(_ connection: Connection, simulator: GitHubSimulator, jobs: Int) async throws -> (Int, Int) {
        var stored: [Int64: (title: String, state: String, updated: Date)] = [:]
        for row in try connection.query("SELECT github_id, title, state, updated_at FROM issues") {
            stored[try row.decode("github_id")] = (try row.decode("title"), try row.decode("state"), try row.decode("updated_at"))
        }
        var compared = 0, lost = 0
        for repository in await simulator.repositories() where repository.fullName.hasPrefix("load/") {
            for issue in repository.issues {
                compared += 1
                guard let row = stored[issue.id], row.title == issue.title, row.state == issue.state.rawValue,
                      abs(row.updated.timeIntervalSince(issue.updatedAt)) < 1 else {
                    lost += 1
                    continue
                }
            }
        }
        return (compared, lost)
    }

    private static func residentKiB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    private static func markdown(_ o: Outcome) -> String {
        let s = o.settings
        let statuses = o.runsByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var lines = [
            "# wsync load run",
            "",
            "Written by `swift run -c release wsync-benchmarks load\(s.quick ? " --quick" : "")` — see `--help`.",
            "",
            "| | |", "|---|---|",
            "| verdict | \(o.failures.isEmpty ? "passed" : "**FAILED**: " + o.failures.joined(separator: "; ")) |",
            "| date | \(o.date) |", "| commit | `\(o.commit)` |", "| machine | \(o.machine) |",
            "| shape | \(s.workers) worker processes × \(s.concurrency) slots, \(s.jobs) jobs, \(s.seconds) s, simulator 20 ms per request |",
            "| runs | \(o.runs) (\(String(format: "%.1f", o.runsPerSecond))/s) — \(statuses) (the last pass included) |",
            "| issues stored, API calls | \(o.issuesStored), \(o.apiCalls) |",
            "| errors | \(o.errors.count)\(o.errors.isEmpty ? "" : ": " + o.errors.prefix(5).joined(separator: "; ")) |",
            "| double syncs (overlapping runs of one job) | \(o.doubleSyncs) |",
            "| issues stored twice | \(o.duplicateIssues) |",
            "| issues differing from GitHub after the last pass | \(o.lostUpdates) of \(o.issuesCompared) |",
            "| client connections before / most during / allowed / after | \(o.connectionsBefore) / \(o.connectionsMaxDuring) / \(o.connectionsAllowed) / \(o.connectionsAfter) |",
            "| resident memory growth per worker (end − end of first fifth) | " + o.memoryGrowthMiB.map { String(format: "%+.1f MiB", $0) }.joined(separator: ", ")
                + (o.memoryFlat ? " (flat)" : " (**grew**)") + " |",
            "",
            "## Samples (every 5 s)",
            "",
            "| second | connections | runs so far | due | resident MiB per worker |",
            "|---:|---:|---:|---:|---|",
        ]
        for sample in o.samples {
            lines.append("| \(sample.second) | \(sample.connections) | \(sample.runs) | \(sample.due) | "
                + sample.residentMiB.map { String(format: "%.0f", $0) }.joined(separator: " ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A child process with its output in a file; waited for off the cooperative pool.
    final class Child: @unchecked Sendable {
        private let process = Process()
        private let exited = DispatchSemaphore(value: 0)
        let log: URL

        init(_ executable: URL, _ arguments: [String], environment: [String: String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = executable
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardInput = FileHandle.nullDevice
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
            let exited = exited
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        func exitStatus(timeout: TimeInterval) async -> Int32? {
            let exited = exited
            let done = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                DispatchQueue.global().async { continuation.resume(returning: exited.wait(timeout: .now() + timeout) == .success) }
            }
            if done { exited.signal() }
            return done ? process.terminationStatus : nil
        }
    }
}
