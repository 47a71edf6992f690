import Foundation
import GitHubSimulator
import Postgres
import SyncEngine

/// Everything `wsync demo` runs: a throwaway PostgreSQL seeded with a realistic operation, a GitHub simulator
/// serving the same repositories with a believable mix of trouble, a worker, and the demo's clock.
/// `stop()` ends them all and removes their files; if the process dies instead, the cluster's watchdog does.
final class DemoEnvironment: Sendable {
    struct Settings: Sendable {
        var workspaces: Int
        var concurrency: Int
        /// GitHub requests per five-minute window: small, so the gauge moves and can run out during the demo.
        var rateLimit: Int
    }

    static let token = "demo-token"
    static let databaseName = "wsync_demo"

    let cluster: ThrowawayCluster
    let simulator: GitHubSimulator
    private let worker: SyncWorker
    private let background: [Task<Void, Never>]

    var database: ConnectionConfiguration { cluster.configuration(database: Self.databaseName) }
    var github: GitHubConfiguration { Self.github(simulator) }

    private static func github(_ simulator: GitHubSimulator) -> GitHubConfiguration {
        GitHubConfiguration(baseURL: simulator.baseURL, token: token, requestTimeout: 10)
    }

    private init(cluster: ThrowawayCluster, simulator: GitHubSimulator, worker: SyncWorker, background: [Task<Void, Never>]) {
        self.cluster = cluster
        self.simulator = simulator
        self.worker = worker
        self.background = background
    }

    static func start(_ settings: Settings, progress: @Sendable (String) -> Void) async throws -> DemoEnvironment {
        progress("starting a throwaway PostgreSQL…")
        let cluster = try await offPool { try ThrowawayCluster(prefix: "wsync-demo") }
        do {
            progress("creating the schema and seeding \(settings.workspaces) workspaces…")
            let repositories = try await offPool { try seedDatabase(cluster, workspaces: settings.workspaces) }
            progress("starting the GitHub simulator with \(repositories.count) repositories…")
            let simulator = try await GitHubSimulator.start(.init(
                seed: 7, token: token, rateLimit: .init(limit: settings.rateLimit, window: 300)))
            try await serve(repositories, on: simulator)
            let database = cluster.configuration(database: databaseName)
            let worker = SyncWorker(
                database: database,
                github: github(simulator),
                options: WorkerOptions(concurrency: settings.concurrency, rateLimitReserve: 10)
            )
            let workerTask = Task { _ = try? await worker.run() }
            let clockTask = Task { await runClock(database: database, simulator: simulator, repositories: repositories) }
            return DemoEnvironment(cluster: cluster, simulator: simulator, worker: worker, background: [workerTask, clockTask])
        } catch {
            cluster.stop()
            throw error
        }
    }

    /// Stops the worker (jobs in flight end between pages), the simulator and PostgreSQL, and removes the files.
    func stop() async {
        worker.stop.set()
        background.last?.cancel()
        for task in background { await task.value }
        await simulator.stop()
        await offPool { self.cluster.stop() }
    }

    // MARK: - Setting up

    struct ServedRepository: Sendable {
        let githubID: Int64
        let fullName: String
        /// Due now or soon, so trouble switched on for it shows in the first minute.
        let dueSoon: Bool
    }

    private static func seedDatabase(_ cluster: ThrowawayCluster, workspaces: Int) throws -> [ServedRepository] {
        try Connection(cluster.configuration()).execute("CREATE DATABASE \(identifier: SQLIdentifier(databaseName))")
        let connection = try Connection(cluster.configuration(database: databaseName))
        _ = try Migrator(connection: connection).migrate()
        // Issues come from the simulator through the worker, as they would from GitHub.
        try DemoSeed.seed(connection, options: .init(
            workspaces: workspaces, includeIssues: false, rateLimitToken: GitHubToken(secret: token).fingerprint
        ))
        return try connection.query("""
            SELECT r.github_id, r.full_name,
                   bool_or(wtr.is_active AND (wtr.next_sync_at IS NULL OR wtr.next_sync_at < now() + interval '10 minutes')) AS due_soon
            FROM repositories r
            JOIN tracked_repositories tr ON tr.repository_id = r.id
            JOIN workspace_tracked_repositories wtr ON wtr.tracked_repository_id = tr.id
            GROUP BY r.id ORDER BY r.github_id
            """).map { row in
            ServedRepository(githubID: try row.decode("github_id"), fullName: try row.decode("full_name"),
                             dueSoon: try row.decode("due_soon", as: Bool?.self) ?? false)
        }
    }

    /// Most repositories answer normally; a few due soon are missing, have issues disabled, were renamed, are
    /// flaky, hit secondary limits or answer slowly.
    private static func serve(_ repositories: [ServedRepository], on simulator: GitHubSimulator) async throws {
        for repository in repositories {
            let items = Int(repository.githubID % 9) * 30 + Int(repository.githubID % 7) * 3
            await simulator.addRepository(repository.fullName, id: repository.githubID, issueCount: items)
        }
        var trouble = repositories.filter(\.dueSoon).map(\.fullName).makeIterator()
        let scenarios: [(GitHubSimulator.Scenario, Int?)] = [
            (.notFound, nil), (.notFound, nil), (.issuesDisabled, nil), (.serverError(delay: .milliseconds(400)), 3),
            (.secondaryRateLimit(retryAfter: 3, status: 403), 2), (.slow(delay: .seconds(2)), nil),
            (.slow(delay: .milliseconds(1500)), nil), (.malformedJSON, 2),
        ]
        for (scenario, times) in scenarios {
            guard let name = trouble.next() else { return }
            try await simulator.setScenario(scenario, for: name, times: times)
        }
        if let renamed = trouble.next() {
            try await simulator.renameRepository(renamed, to: renamed + "-renamed")
        }
    }

    // MARK: - The demo's clock

    /// Hours pass in seconds: every few seconds some repositories see new activity on GitHub and a few jobs come
    /// due, as they would over a day, so the panes keep moving.
    private static func runClock(database: ConnectionConfiguration, simulator: GitHubSimulator, repositories: [ServedRepository]) async {
        var generator = SystemRandomNumberGenerator()
        let connection = DatabaseQueue(database, label: "wsync.demo.clock")
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(4))
            for repository in repositories.shuffled(using: &generator).prefix(4) {
                // A renamed repository is no longer served under its old name.
                guard let name = await simulator.repository(repository.fullName)?.fullName else { continue }
                try? await simulator.simulateActivity(in: name, edits: 3)
                if Bool.random(using: &generator) { _ = try? await simulator.addIssues(to: name, count: 2) }
            }
            _ = try? await connection.run {
                try $0.execute("""
                    UPDATE workspace_tracked_repositories SET next_sync_at = now()
                    WHERE id IN (SELECT id FROM workspace_tracked_repositories
                                 WHERE is_active AND lease_owner IS NULL AND next_sync_at > now()
                                 ORDER BY random() LIMIT 3)
                    """)
            }
        }
    }
}
