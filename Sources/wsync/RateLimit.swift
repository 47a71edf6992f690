import ArgumentParser
import Foundation
import SyncEngine

struct RateLimit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rate-limit",
        abstract: "GitHub's current rate limit for each token of the pool (GET /rate_limit, which costs nothing), the pool's total and next reset; also recorded for the dashboard.",
        discussion: "A token GitHub refuses is shown and set aside; one it accepts again rejoins the pool."
    )

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print as JSON.") var json = false

    func run() async throws {
        let github = try GitHubEnvironment.configuration()
        github.warnings.forEach(GitHubEnvironment.notice)
        let (reading, snapshots) = try await PoolReading.read(GitHubClient(configuration: github))
        // Recording is a bonus: the reading is still shown when no database is reachable.
        do {
            let database = database
            try await offPool { try reading.record(snapshots, pool: github.tokens, connection: database.connect()) }
        } catch {
            GitHubEnvironment.notice("not recorded in the database: \(error)")
        }
        if let refusal = reading.tokens.first?.refused, reading.tokens.allSatisfy({ $0.refused != nil }) {
            throw WSyncError(GitHubError.badCredentials(message: refusal))
        }
        if json { return try Output.json(reading) }
        for token in reading.tokens {
            if let refusal = token.refused {
                print(SafeText.line("\(token.name): refused by GitHub (\(refusal)); set aside until wsync rate-limit finds it accepted"))
            } else if let remaining = token.remaining, let limit = token.limit, let resetAt = token.resetAt {
                print(SafeText.line(token.name) + ": \(remaining) of \(limit) requests left (\(token.used ?? limit - remaining) used); resets \(Self.when(resetAt))")
            }
        }
        guard reading.tokens.count > 1 else { return }
        let accepted = reading.tokens.filter { $0.refused == nil }
        print("pool (\(accepted.count) of \(reading.tokens.count) tokens usable): \(reading.remaining) of \(reading.limit) requests left"
              + (reading.resetAt.map { "; next reset \(Self.when($0))" } ?? ""))
    }

    static func when(_ date: Date) -> String {
        "at \(Output.timestamp(date)) (in \(max(0, Int(date.timeIntervalSinceNow / 60))) min)"
    }
}
