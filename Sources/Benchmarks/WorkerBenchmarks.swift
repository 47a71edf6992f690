import Foundation
import GitHubSimulator
import Postgres
import SyncEngine

/// Due jobs synced by workers against the simulator answering each request after 50 ms: jobs per second at 1, 2, 4
/// and 8 concurrent syncs in one process, and with two `wsync worker` processes of 4; every pass checked for double
/// syncs; then a second pass over the unchanged repositories, which must cost no rate limit.
func benchmarkWorkers(_ database: BenchDatabase, jobs count: Int, wsync: URL?, report: inout Report) async throws {
    let simulator = try await GitHubSimulator.start(.init(token: "bench-token", rateLimit: .init(limit: 10_000_000), latency: .milliseconds(50)))
    defer { Task { await simulator.stop() } }
    let jobs = try unusedJobs(database, count: count, skipping: 8)
    for job in jobs { try await publish(job, issues: 5, on: simulator, bodyBytes: 200) }
    let connection = try database.connect()
    let ids = jobs.map(\.id)
    try connection.execute("UPDATE workspace_tracked_repositories SET next_sync_at = now() + interval '30 days', lease_owner = NULL, lease_expires_at = NULL")
    let github = GitHubConfiguration(baseURL: simulator.baseURL, token: "bench-token", requestTimeout: 120)
    let section = "Workers (\(count) due jobs, 50 ms per GitHub request)"

    /// Makes the jobs due again; without their ETags each pass fetches everything, as the first one did.
    func makeDue(keepingETags: Bool) throws {
        try connection.execute("""
            UPDATE workspace_tracked_repositories
            SET next_sync_at = now() - interval '1 minute', lease_owner = NULL, lease_expires_at = NULL, is_active = true,
                sync_attempts = 0, last_sync_status = NULL,
                issues_etag = CASE WHEN \(keepingETags) THEN issues_etag END, issues_since = CASE WHEN \(keepingETags) THEN issues_since END
            WHERE id = ANY(\(ids)::uuid[])
            """)
    }
    struct Pass { var seconds: Double; var synced: Int; var doubles: Int; var apiCalls: Int; var issues: Int }
    func pass(keepingETags: Bool = false, _ work: () async throws -> Void) async throws -> Pass {
        try makeDue(keepingETags: keepingETags)
        let before: Int64 = try connection.query("SELECT coalesce(max(id), 0) AS id FROM wsync.sync_runs")[0].decode("id")
        let seconds = try await elapsedSeconds(work)
        let row = try connection.query("""
            SELECT count(DISTINCT job_id) FILTER (WHERE status = 'success') AS synced,
                   (SELECT count(*) FROM (SELECT job_id FROM wsync.sync_runs WHERE id > \(before) GROUP BY job_id HAVING count(*) > 1) d) AS doubles,
                   coalesce(sum(api_calls), 0) AS api_calls, coalesce(sum(issues_fetched), 0) AS issues
            FROM wsync.sync_runs WHERE id > \(before)
            """)[0]
        return Pass(seconds: seconds, synced: try row.decode("synced"), doubles: try row.decode("doubles"),
                    apiCalls: try row.decode("api_calls"), issues: try row.decode("issues"))
    }
    func inProcess(_ concurrency: Int) async throws {
        _ = try await SyncWorker(database: database.configuration, github: github,
                                 options: WorkerOptions(concurrency: concurrency, once: true)).run()
    }

    var single: Double?
    for concurrency in [1, 2, 4, 8] {
        let result = try await pass { try await inProcess(concurrency) }
        let rate = Double(result.synced) / result.seconds
        single = single ?? rate
        report.add(Figure(section: section, name: "\(concurrency) concurrent sync\(concurrency == 1 ? "" : "s") (jobs/s)", value: rate,
                          unit: "jobs/s", baselineName: "1 concurrent sync", baseline: single,
                          target: concurrency == 4 ? "≥ 3.5× at 4" : nil, met: concurrency == 4 ? rate / single! >= 3.5 : nil,
                          note: "\(result.synced)/\(count) synced, \(result.doubles) double syncs"))
        if concurrency == 1 {
            report.add(Figure(section: section, name: "API requests per synced issue", value: Double(result.apiCalls) / Double(max(1, result.issues)),
                              unit: "requests", note: "\(result.apiCalls) requests for \(result.issues) issues (5 per repository, one page each)"))
        }
        if result.doubles > 0 { report.add(Figure(section: section, name: "double syncs", value: Double(result.doubles), unit: "jobs", target: "0", met: false)) }
    }
    if let wsync {
        let result = try await pass {
            let processes = try (0..<2).map { _ in try startWorkerProcess(wsync, database: database, github: simulator.baseURL) }
            for process in processes { process.waitUntilExit() }
        }
        let rate = Double(result.synced) / result.seconds
        report.add(Figure(section: section, name: "2 processes × 4 concurrent syncs (jobs/s)", value: rate, unit: "jobs/s",
                          baselineName: "1 concurrent sync", baseline: single,
                          note: "\(result.synced)/\(count) synced, \(result.doubles) double syncs (target 0)"))
        if result.doubles > 0 { report.add(Figure(section: section, name: "double syncs, 2 processes", value: Double(result.doubles), unit: "jobs", target: "0", met: false)) }
    } else {
        report.add(Figure(section: section, name: "2 processes × 4 concurrent syncs", value: 0, unit: "jobs/s",
                          note: "not run: no wsync binary beside the benchmarks (swift build -c release first)"))
    }
    let before = await simulator.rateLimit().remaining
    let unchanged = try await pass(keepingETags: true) { try await inProcess(4) }
    let spent = before - (await simulator.rateLimit().remaining)
    report.add(Figure(section: section, name: "second pass over unchanged repositories: rate limit spent", value: Double(spent), unit: "requests",
                      target: "0", met: spent == 0, note: "\(unchanged.synced) jobs synced, \(unchanged.apiCalls) requests (304s)"))
}

func startWorkerProcess(_ wsync: URL, database: BenchDatabase, github: URL) throws -> Process {
    let process = Process()
    process.executableURL = wsync
    process.arguments = ["worker", "--concurrency", "4", "--once"]
    var environment = ProcessInfo.processInfo.environment
    environment["DATABASE_URL"] = database.cluster.url(database: database.name)
    environment["GITHUB_TOKEN"] = "bench-token"
    environment["GITHUB_API_URL"] = github.absoluteString
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}
