import ArgumentParser
import Foundation
import SyncEngine

struct Link: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create sync jobs for workspace repositories that lack them, with tier defaults (safe to repeat).")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Also give jobs that already exist (such as those the app's trigger creates: every 24 h, priority 50) their tier's frequency and priority. Undoable.")
    var applyTierDefaults = false

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        try mutation.confirm(applyTierDefaults
            ? "Link every workspace repository that has no sync job, and give every existing job its tier's defaults?"
            : "Link every workspace repository that has no sync job?")
        Output.outcome(try Operations(connection: database.connect(), actor: mutation.actor).link(applyTierDefaults: applyTierDefaults))
    }
}

struct Cleanup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete cache entries expired over 7 days ago; move daily metrics older than 90 days to the archive.",
        discussion: "Also prunes wsync's own history: rate-limit observations older than 7 days and sync runs older than 90 days. One transaction: a failure changes nothing.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Only count what would be deleted and moved.")
    var dryRun = false

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        if !dryRun { try mutation.confirm("Delete expired cache entries and archive old daily metrics?") }
        let result = try Operations(connection: database.connect(readOnly: dryRun), actor: mutation.actor).cleanup(dryRun: dryRun)
        Output.outcome(result.outcome)
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Disable all syncing (undoable with resume); --drop-tables also drops the guide's tables.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Also drop workspace_tracked_repositories, daily_activity_metrics and workspace_issues_cache (data loss).")
    var dropTables = false

    @Option(help: ArgumentHelp("The database's name, typed back, to allow --drop-tables without a terminal.", valueName: "name"))
    var confirmDatabase: String?

    @OptionGroup var mutation: MutationOptions

    func run() throws {
        let connection = try database.connect()
        var typed = confirmDatabase
        if dropTables && typed == nil {
            guard isatty(STDIN_FILENO) == 1 else {
                throw WSyncError.failed("--drop-tables needs the database name typed back: pass --confirm-database \(connection.databaseName)")
            }
            FileHandle.standardError.write(Data("This DROPS \(Operations.rollbackTables.joined(separator: ", ")). Type the database name (\(connection.databaseName)) to confirm: ".utf8))
            typed = readLine()?.trimmingCharacters(in: .whitespaces)
        } else {
            try mutation.confirm("Disable every sync on \(connection.displayTarget)?")
        }
        Output.outcome(try Operations(connection: connection, actor: mutation.actor).rollback(dropTables: dropTables, confirmDatabase: typed))
    }
}

struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Bulk settings, validated against the column limits before anything is written (undoable).",
        subcommands: [Frequency.self, Retention.self])

    struct Frequency: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every sync of a tier's workspaces runs every --hours hours.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "A tier the database allows (production: free, pro, team).")
        var tier: String

        @Option(help: "Hours between syncs, 1 to 168.")
        var hours: Int

        @OptionGroup var mutation: MutationOptions

        func run() throws {
            try JobLimits.validateFrequency(hours)
            let connection = try database.connect()
            let tier = try Tier.validated(tier, on: connection)
            try mutation.confirm("Set every \(tier.rawValue) sync to run every \(hours) hours?")
            Output.outcome(try Operations(connection: connection, actor: mutation.actor).setFrequency(tier: tier, hours: hours))
        }
    }

    struct Retention: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep --days days of data for workspaces that fetched more than --min-total-issues issues.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Retention in days, 7 to 365.")
        var days: Int

        @Option(help: "Only workspaces whose syncs fetched more than this many issues in total.")
        var minTotalIssues = 1000

        @OptionGroup var mutation: MutationOptions

        func run() throws {
            try JobLimits.validateRetention(days)
            try mutation.confirm("Set retention to \(days) days for workspaces with more than \(minTotalIssues) issues?")
            Output.outcome(try Operations(connection: database.connect(), actor: mutation.actor)
                .setRetention(days: days, minTotalIssues: minTotalIssues))
        }
    }
}
