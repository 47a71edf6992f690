import ArgumentParser
import Foundation
import SyncEngine

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The guide's weekly and monthly reviews.",
        subcommands: [Weekly.self, Tiers.self, Perf.self, Cost.self, Frequencies.self])

    struct Weekly: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Syncs per day over the last 7 days, from the sync-run history.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var format: ReportFormat

        func run() throws { try format.print(WeeklyStats.fetch(database.connect(readOnly: true))) }
    }

    struct Tiers: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tier review: each workspace's usage against its tier's limits (--by-tier: the dashboard's totals).")
        @OptionGroup var database: DatabaseOptions

        @Flag(help: "One row per tier: workspaces, repositories tracked vs allowed, issues, estimated monthly API calls.")
        var byTier = false

        @OptionGroup var format: ReportFormat

        func run() throws {
            let connection = try database.connect(readOnly: true)
            if byTier {
                try format.print(TierUsage.fetch(connection))
            } else {
                try format.print(TierReview.fetch(connection))
            }
        }
    }

    struct Perf: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sync durations: min, max, avg, P50, P95 of recorded runs.")
        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("Runs started within this span (e.g. 24h, 30d).", valueName: "span"))
        var since = TimeSpan(seconds: 30 * 86_400)

        @OptionGroup var format: ReportFormat

        func run() throws {
            let audit = try PerformanceAudit.fetch(database.connect(readOnly: true), since: since)
            if format.json { return try Output.json(audit) }
            try format.print([audit])
        }
    }

    struct Cost: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimated monthly syncs and API calls per workspace (exact arithmetic), beside recorded calls.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var format: ReportFormat

        func run() throws { try format.print(CostAnalysis.fetch(database.connect(readOnly: true))) }
    }

    struct Frequencies: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Syncs whose repository had more than --min-issues new issues in 7 days: candidates for a shorter interval.")
        @OptionGroup var database: DatabaseOptions

        @Option(help: "Issues created in the last 7 days, more than this.")
        var minIssues = 50

        @OptionGroup var format: ReportFormat

        func validate() throws {
            guard minIssues >= 0 else { throw ValidationError("--min-issues must be 0 or more") }
        }

        func run() throws { try format.print(FrequencyCandidate.fetch(database.connect(readOnly: true), minIssues: minIssues)) }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CSV of recent syncs: workspace, repository, last_sync_at, total_issues_fetched, priority_score.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Syncs within this span (e.g. 24h, 7d).", valueName: "span"))
    var since: TimeSpan = .hours(24)

    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func run() throws {
        let rows = try SyncExportRow.fetch(database.connect(readOnly: true), since: since)
        let document = CSV.document(rows)
        guard let output else { return print(Output.csvForStandardOutput(document), terminator: "") }
        do {
            try document.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw WSyncError.failed("cannot write \(output): \(error.localizedDescription); check the directory exists and is writable")
        }
        print("wrote \(rows.count) rows to \(output)")
    }
}

struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Database tuning.", subcommands: [Analyze.self, IndexUsageCommand.self])

    struct Analyze: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "ANALYZE the sync tables for the query planner.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let tables = try DatabaseTuning.analyze(database.connect())
            print("analyzed \(tables.joined(separator: ", "))")
        }
    }

    struct IndexUsageCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "index-usage", abstract: "How often each index of the sync tables is used.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var format: JSONFlag

        func run() throws {
            let rows = try IndexUsage.fetch(database.connect(readOnly: true))
            if format.json { return try Output.json(rows) }
            Output.table(IndexUsage.columns, rows.map(\.cells))
        }
    }
}
