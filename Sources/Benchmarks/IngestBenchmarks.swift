import Foundation
import GitHubSimulator
import Postgres
import SyncEngine

/// Storing issues: wsync's sync (one statement per 100-issue page, fetched from the simulator on loopback; its time
/// less a dry run's, which fetches the same pages and stores nothing) beside
/// row-at-a-time storage as the guide's edge function does it (an author upsert and an issue upsert per issue, each
/// its own round trip; given the issues, so without any fetching). On the local socket and through a proxy that
/// puts the database 2 ms away in each direction.
func benchmarkIngest(_ database: BenchDatabase, issues: Int, rowIssues: Int, report: inout Report) async throws {
    let simulator = try await GitHubSimulator.start(.init(token: "bench-token", rateLimit: .init(limit: 10_000_000)))
    defer { Task { await simulator.stop() } }
    let proxy = try DelayProxy(unixSocket: database.cluster.socketDirectory + "/.s.PGSQL.\(database.cluster.port)", delay: 0.002)
    var remote = database.configuration
    remote.conninfo = "host=127.0.0.1 port=\(proxy.port) user=\(database.cluster.superuser) dbname=\(database.name)"
    let jobs = try unusedJobs(database, count: 4)
    let section = "Ingest (100-issue pages, 2 KB bodies)"
    var rates: [String: Double] = [:]
    for (index, (place, configuration)) in [("local socket", database.configuration), ("2 ms away", remote)].enumerated() {
        let wsyncJob = jobs[index * 2], rowJob = jobs[index * 2 + 1]
        try await publish(wsyncJob, issues: issues, on: simulator)
        let github = GitHubConfiguration(baseURL: simulator.baseURL, token: "bench-token", requestTimeout: 120)
        let sentBefore = proxy.sent
        let sync = ManualSync(database: configuration, github: github)
        let selection = SyncSelection(jobIDs: [wsyncJob.id])
        // A dry run fetches and decodes every page and stores nothing: the sync's time minus it is the storing.
        let fetching = try await elapsedSeconds {
            _ = try await sync.syncNow(selection, options: SyncNowOptions(hoursBack: 24 * 60, dryRun: true), actor: "bench")
        }
        var stored = 0
        let seconds = try await elapsedSeconds {
            stored = try await sync.syncNow(selection, options: SyncNowOptions(hoursBack: 24 * 60), actor: "bench").totalIssuesSynced
        }
        let chunks = proxy.sent - sentBefore
        // The storing is a difference of two timings: under a tenth of the whole sync it is noise, not a rate.
        let storing = seconds - fetching
        let measured = storing > seconds / 10
        let pageRate = measured ? Double(stored) / storing : 0
        let items = try await publish(rowJob, issues: rowIssues, on: simulator)
        let connection = try Connection(configuration)
        let rowSeconds = try elapsedMilliseconds { try storeRowAtATime(items, repositoryID: rowJob.repositoryID, connection) } / 1000
        let rowRate = Double(items.count) / rowSeconds
        if measured { rates[place] = pageRate / rowRate }
        let farTarget = place == "2 ms away"
        let timings = measured
            ? String(format: "%d issues; the whole sync %.2f s of which fetching %.2f s (a difference of two timings: noisy when fetching is most of it)", stored, seconds, fetching)
            : String(format: "not measured this run: the whole sync (%.2f s) took no longer than its dry run (%.2f s) beyond the noise", seconds, fetching)
        report.add(Figure(section: section, name: "wsync's page storage, \(place) (issues/s)", value: pageRate, unit: "issues/s",
                          baselineName: "row at a time", baseline: rowRate,
                          target: farTarget ? "≥ 50× row at a time" : nil, met: farTarget && measured ? pageRate / rowRate >= 50 : nil,
                          note: timings + (index == 1 ? ", \(chunks) client sends ≈ round trips" : "")))
    }
    if let far = rates["2 ms away"], far < 50 {
        report.evidence["Ingest through the 2 ms proxy"] = """
            wsync's sync stored issues \(String(format: "%.1f", far))× as fast as row at a time 2 ms away. \
            Row at a time pays two round trips (8 ms) per issue. wsync stores a 100-issue page in one statement, but \
            a sync also makes the run's other per-page statements (the pause check asked before every page, the rate \
            limit each response reports), each a round trip of 4 ms here, and fetches and stores its pages one after \
            the other; the storing is timed as the sync less a dry run, so those round trips fall in it and bound the \
            rate at this distance, not the database's work.
            """
    }
}

struct BenchJob {
    var id: UUID
    var repositoryID: UUID
    var fullName: String
    var githubID: Int64
}

/// Active seeded jobs nobody else uses in the run (the last ones by id), with their repository.
func unusedJobs(_ database: BenchDatabase, count: Int, skipping: Int = 0) throws -> [BenchJob] {
    try database.connect().query("""
        SELECT wtr.id, r.id AS repository_id, r.full_name, r.github_id FROM workspace_tracked_repositories wtr
        JOIN tracked_repositories tr ON tr.id = wtr.tracked_repository_id JOIN repositories r ON r.id = tr.repository_id
        WHERE r.has_issues IS NOT FALSE AND wtr.is_active
        ORDER BY wtr.id DESC OFFSET \(skipping) LIMIT \(count)
        """).map {
        BenchJob(id: try $0.decode("id"), repositoryID: try $0.decode("repository_id"), fullName: try $0.decode("full_name"),
                 githubID: try $0.decode("github_id"))
    }
}

/// Puts the job's repository on the simulator with `issues` issues (no pull requests), each with a 2 KB body.
@discardableResult
func publish(_ job: BenchJob, issues: Int, on simulator: GitHubSimulator, bodyBytes: Int = 2_048) async throws -> [SimulatedIssue] {
    _ = await simulator.addRepository(job.fullName, id: job.githubID, issueCount: issues, pullRequestEvery: 0, spreadDays: 30)
    var edited: [SimulatedIssue] = []
    for number in 1...issues {
        edited.append(try await simulator.editIssue(in: job.fullName, number: number) {
            $0.body = String(repeating: "Steps to reproduce, logs and context. ", count: bodyBytes / 38 + 1).prefix(bodyBytes).description
        })
    }
    return edited
}

/// The guide's edge function's way: per issue, upsert its author, then the issue (two round trips).
private func storeRowAtATime(_ issues: [SimulatedIssue], repositoryID: UUID, _ connection: Connection) throws {
    for issue in issues {
        var author: UUID?
        if let user = issue.user {
            author = try connection.query("""
                INSERT INTO contributors (github_id, username, avatar_url, is_bot) VALUES (\(user.id), \(user.login), NULL, \(user.isBot))
                ON CONFLICT (github_id) DO UPDATE SET username = EXCLUDED.username RETURNING id
                """).first?.decode("id")
        }
        try connection.execute("""
            INSERT INTO issues (github_id, repository_id, number, title, body, state, author_id, created_at, updated_at,
                                closed_at, comments_count, is_pull_request)
            VALUES (\(issue.id), \(repositoryID), \(issue.number), \(issue.title), \(issue.body), \(issue.state.rawValue), \(author),
                    \(issue.createdAt), \(issue.updatedAt), \(issue.closedAt), \(issue.comments), false)
            ON CONFLICT (github_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, state = EXCLUDED.state,
                updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at, comments_count = EXCLUDED.comments_count
            """)
    }
}
