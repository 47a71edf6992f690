import Foundation
import GitHubSimulator
import Postgres
import SyncEngine
import TestSupport

/// Where the binary syncs in end-to-end tests: a migrated database with one workspace tracking `e2e/repo-N`
/// repositories, all due, that the GitHub simulator on loopback serves.
struct SimulatedWorld {
    static let token = "e2e-token"

    let database: TestDatabase
    let connection: Connection
    let simulator: GitHubSimulator
    let workspace: UUID

    /// What a worker's environment holds on a real machine, pointed at this world.
    var environment: [String: String?] {
        ["DATABASE_URL": database.url, "GITHUB_API_URL": simulator.baseURL.absoluteString, "GITHUB_TOKEN": Self.token]
    }

    static func make(
        repositories: Int, issues: Int, tier: String = "pro", simulator configuration: GitHubSimulator.Configuration = .init(token: token)
    ) async throws -> SimulatedWorld {
        let simulator = try await GitHubSimulator.start(configuration)
        var served: [SimulatedRepository] = []
        for index in 0..<repositories {
            served.append(await simulator.addRepository("e2e/repo-\(index)", issueCount: issues, pullRequestEvery: 0))
        }
        let tracked = served
        let (database, workspace) = try await offPool {
            let database = try TestDatabase.create()
            let connection = try database.connect()
            let workspace = try SyncSeeding.workspace(connection, tier: tier)
            for repository in tracked {
                _ = try SyncSeeding.track(connection, githubID: repository.id, fullName: repository.fullName, workspace: workspace)
            }
            return (database, workspace)
        }
        // A connection is not Sendable: the test's own is opened here, where the test uses it.
        return SimulatedWorld(database: database, connection: try database.connect(), simulator: simulator, workspace: workspace)
    }

    func count(_ sql: SQL) throws -> Int { try connection.query(sql).first!.decode("n") }
}
