import ArgumentParser
import SyncEngine

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reset failed syncs: attempts 0, due now, error cleared (undoable).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobs: JobSelectorOptions
    @OptionGroup var mutation: MutationOptions

    func run() throws {
        let selector = try jobs.selector()
        let connection = try database.connect()
        try selector.validate(connection)
        try mutation.confirm("Reset \(jobs.description)?") {
            let estimate = try SyncEstimate.forReset(selector, connection)
            return CostLines.reset(estimate)
        }
        Output.outcome(try Operations(connection: connection, actor: mutation.actor).reset(selector))
    }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reset failed syncs and sync them at once: one audited action, whose reset is undoable.",
        discussion: "Uses GITHUB_TOKEN (or GITHUB_TOKENS) and GITHUB_API_URL, and exits like wsync sync.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobs: JobSelectorOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(help: "Print the reset and the sync result as JSON.") var json = false

    func run() async throws {
        let selector = try jobs.selector()
        let github = try GitHubEnvironment.configuration()
        let database = database
        let estimate = try await offPool { () -> SyncEstimate? in
            let connection = try database.connect()
            try selector.validate(connection)
            return mutation.asks ? try SyncEstimate.forRetry(selector, connection) : nil
        }
        try mutation.confirm("Reset \(jobs.description) and sync now?") { estimate.map(CostLines.sync) ?? [] }
        let result = try await ManualSync(database: database.configuration, github: github, log: GitHubEnvironment.notice)
            .retry(selector, actor: mutation.actor)
        if json {
            try Output.json(result)
        } else {
            Output.outcome(result.reset)
            try SyncResultOutput.print(result.sync, json: false)
        }
        if !result.sync.success { throw ExitCode(1) }
    }
}

/// The count and estimated API cost a confirmation shows (the engine's `SyncEstimate`, as the dashboard's dialogs
/// word it).
enum CostLines {
    static func sync(_ estimate: SyncEstimate) -> [String] {
        ["This syncs \(targets(estimate)): \(estimate.costText).", "(Estimated \(estimate.basisText).)"]
    }

    static func reset(_ estimate: SyncEstimate) -> [String] {
        var lines = ["This resets \(targets(estimate)); the workers then sync them: \(estimate.costText).",
                     "(Estimated \(estimate.basisText).)"]
        if estimate.alreadyReset > 0 {
            lines.append("\(estimate.alreadyReset) already queued for retry \(estimate.alreadyReset == 1 ? "is" : "are") left alone.")
        }
        return lines
    }

    static func targets(_ estimate: SyncEstimate) -> String {
        let noun = estimate.rows == 1 ? "1 row" : "\(estimate.rows) rows"
        guard !estimate.names.isEmpty else { return noun }
        let more = estimate.rows > estimate.names.count ? " and \(estimate.rows - estimate.names.count) more" : ""
        return "\(noun) (\(estimate.names.joined(separator: ", "))\(more))"
    }
}
