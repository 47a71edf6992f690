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

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reset failed syncs and sync them at once.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var jobs: JobSelectorOptions
    @OptionGroup var mutation: MutationOptions

    func run() throws {
        _ = try jobs.selector()
        throw WSyncError("retry needs the sync engine, which this build does not include yet; nothing was changed — run wsync reset and let the worker pick the rows up")
    }
}
