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
        abstract: "Reset failed syncs and sync them at once (the reset is undoable; the sync is audited).",
        discussion: "Uses GITHUB_TOKEN (or GITHUB_TOKENS) and GITHUB_API_URL, and exits like wsync sync.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobs: JobSelectorOptions
    @OptionGroup var mutation: MutationOptions
    @Flag(help: "Print the reset and the sync result as JSON.") var json = false

    /// `--json`: what the reset changed and, when it changed anything, what the sync did.
    struct Result: Encodable {
        var reset: ActionOutcome
        var sync: SyncNowResult?
    }

    func run() async throws {
        let selector = try jobs.selector()
        let github = try GitHubEnvironment.configuration()
        let connection = try database.connect()
        try selector.validate(connection)
        try mutation.confirm("Reset \(jobs.description) and sync now?")
        let reset = try Operations(connection: connection, actor: mutation.actor).reset(selector)
        if !json { Output.outcome(reset) }
        let sync = reset.jobIds.isEmpty ? nil
            : try await ManualSync(database: database.configuration, github: github, log: GitHubEnvironment.notice)
                .syncNow(SyncSelection(jobIDs: reset.jobIds), actor: mutation.actor)
        if json {
            try Output.json(Result(reset: reset, sync: sync))
        } else if let sync {
            try SyncResultOutput.print(sync, json: false)
        }
        if sync?.success == false { throw ExitCode(1) }
    }
}
