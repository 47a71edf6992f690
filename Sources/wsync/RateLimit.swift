import ArgumentParser
import Foundation
import SyncEngine

struct RateLimit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-limit",
        abstract: "GitHub's current rate limit (GET /rate_limit, which costs nothing); also recorded for the dashboard."
    )

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        let snapshot: RateLimitSnapshot
        do {
            snapshot = try await GitHubClient(configuration: try GitHubEnvironment.configuration()).rateLimit()
        } catch let error as GitHubError {
            throw WSyncError(error)
        }
        // Recording is a bonus: the reading is still shown when no database is reachable.
        do {
            let database = database
            try await offPool { try RateLimitRecorder.record(snapshot, source: "rate_limit", connection: database.connect()) }
        } catch {
            FileHandle.standardError.write(Data("wsync: not recorded in the database: \(error)\n".utf8))
        }
        if json {
            try Output.json(snapshot)
            return
        }
        let minutes = max(0, Int(snapshot.resetAt.timeIntervalSinceNow / 60))
        print("\(snapshot.resource): \(snapshot.remaining) of \(snapshot.limit) requests left (\(snapshot.used) used); resets at \(Output.timestamp(snapshot.resetAt)) UTC (in \(minutes) min)")
    }
}
