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
        try mutation.confirm("Reset \(jobs.description)?")
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
        try await offPool { try selector.validate(try database.connect()) }
        try mutation.confirm("Reset \(jobs.description) and sync now?")
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
