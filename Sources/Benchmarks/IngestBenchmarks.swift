import Foundation
import GitHubSimulator
import Postgres
import SyncEngine

/// Storing issues that were already fetched: wsync's page storage (what a worker holding the job's lease does with
/// each 100-issue page: one statement, fence and upsert together) beside row-at-a-time storage as the guide's edge
/// function does it (an author upsert and an issue upsert per issue, each its own round trip) and beside a COPY of
/// each page into a temporary table followed by the same upsert. Each stores new issues of its own repository,
/// fetched from the simulator beforehand; only the storing is timed. On the local socket and through a proxy that
/// puts the database 2 ms away in each direction.
func benchmarkIngest(_ database: BenchDatabase, issues: Int, rowIssues: Int, report: inout Report) async throws {
    let simulator = try await GitHubSimulator.start(.init(token: "bench-token", rateLimit: .init(limit: 10_000_000)))
    defer { Task { await simulator.stop() } }
    let proxy = try DelayProxy(unixSocket: database.cluster.socketDirectory + "/.s.PGSQL.\(database.cluster.port)", delay: 0.002)
    var remote = database.configuration
    remote.conninfo = "host=127.0.0.1 port=\(proxy.port) user=\(database.cluster.superuser) dbname=\(database.name)"
    let github = GitHubClient(configuration: GitHubConfiguration(baseURL: simulator.baseURL, token: "bench-token", requestTimeout: 120))
    let jobs = try unusedJobs(database, count: 6)
    let section = "Ingest (100-issue pages, 2 KB bodies)"
    var pageMilliseconds: [String: Double] = [:]
    for (index, (place, configuration)) in [("local socket", database.configuration), ("2 ms away", remote)].enumerated() {
        let (pageJob, copyJob, rowJob) = (jobs[index * 3], jobs[index * 3 + 1], jobs[index * 3 + 2])
        let pages = try await fetchedPages(of: pageJob, issues: issues, simulator: simulator, github: github)
        let copyPages = try await fetchedPages(of: copyJob, issues: issues, simulator: simulator, github: github)
        let rowIssues = try await fetchedPages(of: rowJob, issues: rowIssues, simulator: simulator, github: github).flatMap(\.issues)
        let connection = try Connection(configuration)
        let wsync = try storeAsWorker(pages, of: pageJob, connection)
        let copied = try storeByCopy(copyPages, of: copyJob, connection)
        let rowSeconds = try elapsedMilliseconds { try storeRowAtATime(rowIssues, repositoryID: rowJob.repositoryID, connection) } / 1000
        let pageRate = Double(wsync.stored) / wsync.seconds, rowRate = Double(rowIssues.count) / rowSeconds
        let far = place == "2 ms away"
        report.add(Figure(section: section, name: "wsync's page storage, \(place) (issues/s)", value: pageRate, unit: "issues/s",
                          baselineName: "row at a time", baseline: rowRate,
                          target: far ? "≥ 50× row at a time" : nil, met: far ? pageRate / rowRate >= 50 : nil,
                          note: String(format: "%d issues in %d pages, %.1f ms a page; row at a time %d issues, %.1f ms an issue",
                                       wsync.stored, pages.count, wsync.seconds * 1000 / Double(pages.count), rowIssues.count,
                                       rowSeconds * 1000 / Double(rowIssues.count))))
        report.add(Figure(section: section, name: "wsync's page storage beside COPY, \(place) (issues/s)", value: pageRate, unit: "issues/s",
                          baselineName: "COPY into a temporary table, then the same upsert", baseline: Double(copied.stored) / copied.seconds,
                          note: String(format: "COPY: %d issues, %.1f ms a page (BEGIN, COPY, the upsert, COMMIT)",
                                       copied.stored, copied.seconds * 1000 / Double(copyPages.count))))
        pageMilliseconds[place] = wsync.seconds * 1000 / Double(pages.count)
        if far, let local = pageMilliseconds["local socket"], pageRate / rowRate < 50 {
            report.evidence["Ingest through the 2 ms proxy"] = String(format: """
                Row at a time pays two round trips per issue: %.1f ms an issue 2 ms away. wsync stores a 100-issue page \
                in one statement: %.1f ms a page 2 ms away, %.1f ms on the local socket, so the distance costs the page \
                its one round trip and the rest is the database's own work for 100 issues (their authors and the issues \
                upserted, two foreign keys checked an issue, 2 KB bodies compressed) and writing the page's JSON. The \
                ratio is bounded by that work: 100 issues' round trips (%.0f ms) over one page's storing.
                """, rowSeconds * 1000 / Double(rowIssues.count), pageMilliseconds[place]!, local,
                rowSeconds * 100_000 / Double(rowIssues.count))
        }
    }
}

/// The job's repository published on the simulator with `issues` issues, fetched page by page as a sync does.
private func fetchedPages(of job: BenchJob, issues: Int, simulator: GitHubSimulator, github: GitHubClient) async throws -> [IssuesPage] {
    try await publish(job, issues: issues, on: simulator)
    var pages: [IssuesPage] = []
    var next: URL? = github.issuesURL(fullName: job.fullName, since: nil)
    while let url = next, case .page(let page) = try await github.issuesPage(url, token: github.configuration.tokens.first) {
        pages.append(page)
        next = page.next
    }
    return pages
}

/// Claims the job's lease as a worker does, then times storing each page with `store` (which says how many issues it
/// wrote); releases the lease.
private func timedStoring(_ pages: [IssuesPage], of benchJob: BenchJob, _ connection: Connection,
                          _ store: (IssuesPage, SyncJob, _ owner: String) throws -> Int) throws -> (seconds: Double, stored: Int) {
    let owner = "bench-ingest"
    guard let job = try JobLeases.claim(connection, ids: [benchJob.id], owner: owner, settings: LeaseSettings()).first else {
        throw WSyncError.failed("the ingest job \(benchJob.id) could not be claimed")
    }
    defer { _ = try? connection.execute("UPDATE workspace_tracked_repositories SET lease_owner = NULL, lease_expires_at = NULL WHERE id = \(job.id)") }
    var stored = 0
    let milliseconds = try elapsedMilliseconds {
        for page in pages { stored += try store(page, job, owner) }
    }
    return (milliseconds / 1000, stored)
}

/// wsync's way: each page in one statement, fenced by the lease and advancing the high-water mark.
private func storeAsWorker(_ pages: [IssuesPage], of job: BenchJob, _ connection: Connection) throws -> (seconds: Double, stored: Int) {
    let refused = RefusedAuthors()  // a worker's, kept across its pages
    return try timedStoring(pages, of: job, connection) { page, job, owner in
        try PageStore.store(page.issues, job: job, owner: owner, highWater: page.newestUpdate, renamedTo: nil,
                            lease: LeaseSettings().lease, refused: refused, connection: connection).upserted
    }
}

/// The baseline: each page COPYed (text format) into a temporary table, then the same upsert from that table, in
/// one transaction (the table empties itself at its commit).
private func storeByCopy(_ pages: [IssuesPage], of job: BenchJob, _ connection: Connection) throws -> (seconds: Double, stored: Int) {
    let table = SQLIdentifier("bench_copied_page")
    try connection.execute("CREATE TEMPORARY TABLE IF NOT EXISTS \(identifier: table) (\(PageStore.rowColumns)) ON COMMIT DELETE ROWS")
    return try timedStoring(pages, of: job, connection) { page, job, _ in
        try connection.transaction { c in
            try c.copy("COPY \(identifier: table) FROM STDIN", from: try copyText(page.issues))
            return try PageStore.upsertCopied(from: table, job: job, connection: c)
        }
    }
}

/// The page in COPY's text format, one line per issue in the order of `PageStore.rowColumns`.
private func copyText(_ issues: [GitHubIssue]) throws -> Data {
    let encoder = JSONEncoder()
    var bytes: [UInt8] = []
    func field(_ value: String?, last: Bool = false) {
        if let value {
            for byte in value.utf8 {
                switch byte {
                case 0x5C: bytes += [0x5C, 0x5C]
                case 0x09: bytes += [0x5C, 0x74]
                case 0x0A: bytes += [0x5C, 0x6E]
                case 0x0D: bytes += [0x5C, 0x72]
                default: bytes.append(byte)
                }
            }
        } else {
            bytes += [0x5C, 0x4E]
        }
        bytes.append(last ? 0x0A : 0x09)
    }
    func json(_ value: JSONValue) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
    for issue in issues {
        field(String(issue.id)); field(String(issue.number)); field(issue.title); field(issue.body); field(issue.state)
        field(issue.stateReason); field(issue.user.map { String($0.id) }); field(issue.user?.login); field(issue.user?.avatarURL)
        field(issue.user.map { String($0.isBot) }); field(PostgresTimestamp.format(issue.createdAt))
        field(PostgresTimestamp.format(issue.updatedAt)); field(issue.closedAt.map(PostgresTimestamp.format))
        field(try json(issue.labels)); field(try json(issue.assignees)); field(try json(issue.milestone))
        field(String(issue.comments), last: true)
    }
    return Data(bytes)
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
func publish(_ job: BenchJob, issues: Int, on simulator: GitHubSimulator, bodyBytes: Int = 2_048) async throws {
    _ = await simulator.addRepository(job.fullName, id: job.githubID, issueCount: issues, pullRequestEvery: 0, spreadDays: 30)
    for number in 1...issues {
        _ = try await simulator.editIssue(in: job.fullName, number: number) {
            $0.body = String(repeating: "Steps to reproduce, logs and context. ", count: bodyBytes / 38 + 1).prefix(bodyBytes).description
        }
    }
}

/// The guide's edge function's way: per issue, upsert its author, then the issue (two round trips).
private func storeRowAtATime(_ issues: [GitHubIssue], repositoryID: UUID, _ connection: Connection) throws {
    for issue in issues {
        var author: UUID?
        if let user = issue.user {
            author = try connection.query("""
                INSERT INTO contributors (github_id, username, avatar_url, is_bot) VALUES (\(user.id), \(user.login), \(user.avatarURL), \(user.isBot))
                ON CONFLICT (github_id) DO UPDATE SET username = EXCLUDED.username RETURNING id
                """).first?.decode("id")
        }
        try connection.execute("""
            INSERT INTO issues (github_id, repository_id, number, title, body, state, author_id, created_at, updated_at,
                                closed_at, comments_count, is_pull_request)
            VALUES (\(issue.id), \(repositoryID), \(issue.number), \(issue.title), \(issue.body), \(issue.state), \(author),
                    \(issue.createdAt), \(issue.updatedAt), \(issue.closedAt), \(issue.comments), false)
            ON CONFLICT (github_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, state = EXCLUDED.state,
                updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at, comments_count = EXCLUDED.comments_count
            """)
    }
}
