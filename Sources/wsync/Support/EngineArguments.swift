import ArgumentParser
import SyncEngine

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String { description }
}

/// `--workspace ID [--repo OWNER/NAME] | --all-failed`: which sync jobs a reset or retry acts on.
struct JobSelectorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The workspace's id (a UUID).", valueName: "id"))
    var workspace: String?

    @Option(name: .customLong("repo"), help: ArgumentHelp("One repository of that workspace.", valueName: "owner/name"))
    var repository: String?

    @Flag(help: "Every failed sync.")
    var allFailed = false

    func selector() throws -> JobSelector {
        try JobSelector(workspace: workspace, repository: repository, allFailed: allFailed)
    }

    /// How the confirmation question names the selection.
    var description: String {
        if allFailed { return "every failed sync" }
        if let repository { return "the sync of \(repository) in workspace \(workspace ?? "")" }
        return "the failed syncs of workspace \(workspace ?? "")"
    }
}

/// `--json` for read commands.
struct JSONFlag: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

/// `--json` or `--csv` for reports that fit a spreadsheet.
struct ReportFormat: ParsableArguments {
    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print CSV (RFC 4180, header row).")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    /// Prints rows as JSON, CSV or a table.
    func print<Row: TabularRow>(_ rows: [Row]) throws {
        if json {
            try Output.json(rows)
        } else if csv {
            Swift.print(Output.csvForStandardOutput(CSV.document(rows)), terminator: "")
        } else {
            Output.table(Row.columns, rows.map(\.cells))
        }
    }
}

extension Output {
    /// What a mutation changed, for the operator.
    static func outcome(_ outcome: ActionOutcome) {
        print(SafeText.line(outcome.summary))
        if !outcome.skipped.isEmpty {
            print("left alone (changed since): " + outcome.skipped.prefix(20).map(SafeText.line).joined(separator: ", ")
                  + (outcome.skipped.count > 20 ? " and \(outcome.skipped.count - 20) more" : ""))
        }
        if let id = outcome.actionId {
            print("action \(id)" + (outcome.undoable ? " (undo with: wsync undo \(id))" : ""))
        }
    }
}

/// `--gone-after N --gone-min-hours H`: when a repository GitHub keeps answering 404/410 for is deactivated.
struct GoneOptions: ParsableArguments {
    @Option(help: "Deactivate a job (audited, undoable) after N consecutive 404/410 answers…")
    var goneAfter: Int = GonePolicy.defaultAnswers

    @Option(help: "…spread over at least H hours.")
    var goneMinHours: Int = GonePolicy.defaultMinimumHours

    func validate() throws {
        guard goneAfter >= 1, goneMinHours >= 0 else { throw ValidationError("--gone-after must be at least 1 and --gone-min-hours 0 or more") }
    }

    var policy: GonePolicy { GonePolicy(answers: goneAfter, minimumSpan: .seconds(goneMinHours * 3600)) }
}
