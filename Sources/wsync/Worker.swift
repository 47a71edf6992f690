import ArgumentParser
import Foundation
import SyncEngine

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The scheduler: claim due rows by priority, sync them, repeat (any number of workers may share a database).",
        discussion: """
            SIGINT/SIGTERM: jobs in progress stop between pages and are released, then the worker exits 0. A token \
            GitHub refuses is set aside and the pool goes on; with no token left the worker exits 2.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Repositories synced at once.") var concurrency: Int = 1
    @Flag(help: "Sync everything due now, then exit.") var once = false
    @Option(help: "Stop claiming when GitHub reports this many requests or fewer left.") var rateLimitReserve: Int = 100
    @Option(help: "At most N pages per run; the run ends partial and the next run resumes.") var maxPages: Int?
    @Option(help: "Seconds a claim holds without renewal.") var leaseSeconds: Int = 120
    @Option(help: "Seconds between heartbeats (lease renewals).") var heartbeatSeconds: Int = 5
    @Option(help: "Seconds without heartbeat after which another worker's claims are taken over.") var deadAfterSeconds: Int = 30
    @Option(help: "Seconds an idle worker waits before looking for due rows again.") var pollSeconds: Int = 2
    @Option(help: "Seconds of silence after which a GitHub request times out (retried like a 5xx); a whole request gets 4 times this.")
    var githubTimeoutSeconds: Int = 30
    @OptionGroup var gone: GoneOptions

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
        guard rateLimitReserve >= 0 else { throw ValidationError("--rate-limit-reserve must be 0 or more") }
        if let maxPages, maxPages < 1 { throw ValidationError("--max-pages must be at least 1") }
        guard heartbeatSeconds >= 1, pollSeconds >= 1 else { throw ValidationError("--heartbeat-seconds and --poll-seconds must be at least 1") }
        guard (1...600).contains(githubTimeoutSeconds) else { throw ValidationError("--github-timeout-seconds must be between 1 and 600") }
        guard leaseSeconds > heartbeatSeconds, deadAfterSeconds > heartbeatSeconds else {
            throw ValidationError("--lease-seconds and --dead-after-seconds must exceed --heartbeat-seconds")
        }
    }

    func run() async throws {
        let options = WorkerOptions(
            concurrency: concurrency, once: once,
            leases: LeaseSettings(lease: .seconds(leaseSeconds), heartbeat: .seconds(heartbeatSeconds), deadAfter: .seconds(deadAfterSeconds)),
            idlePoll: .seconds(pollSeconds), rateLimitReserve: rateLimitReserve, maxPages: maxPages, gone: gone.policy
        )
        let worker = SyncWorker(database: database.configuration, github: try GitHubEnvironment.configuration().withRequestTimeout(TimeInterval(githubTimeoutSeconds)),
                                options: options) { line in
            let stamp = Date().formatted(.iso8601)
            FileHandle.standardOutput.write(Data("\(stamp) \(SafeText.line(line))\n".utf8))
        }
        ShutdownSignal.onSignal { worker.stop.set() }
        do {
            _ = try await worker.run()
        } catch let error as GitHubError {
            throw WSyncError.failed("worker stopped: \(error.description)")
        }
    }
}
