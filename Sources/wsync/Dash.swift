import ArgumentParser
import Dashboard
import Foundation
import SyncEngine

struct Dash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard: five panes, operations on keys (? lists them).",
        discussion: """
            Themes: themes/ and $XDG_CONFIG_HOME/wsync/themes. NO_COLOR disables colour like --no-color.
            --once prints the dashboard once (plain text, or --json with every pane) without a terminal, and exits \
            1 when `wsync check` (with its defaults) would alert, 2 when it cannot read the database.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var dashboard: DashboardOptions

    @Flag(help: "Print the dashboard once to standard output and exit; no terminal needed.")
    var once = false

    @Flag(help: "With --once: print every pane as JSON instead of text.")
    var json = false

    @Option(help: ArgumentHelp("With --once: columns of the text (40–500; height \(OneShotScreen.height)).", valueName: "columns"))
    var width = 120

    func validate() throws {
        guard once || (!json && width == 120) else { throw ValidationError("--json and --width go with --once") }
        guard (40...500).contains(width) else { throw ValidationError("--width must be between 40 and 500") }
        if !once {
            try dashboard.validateTheme()
            try dashboard.requireTerminal()
        }
    }

    func run() throws {
        guard once else { return dashboard.open(database.configuration) }
        let connection = try database.connect(readOnly: true)
        let snapshot = try DashboardSnapshot.fetch(connection)
        let alert = try SyncAlert.fetch(connection)
        if json {
            try Output.json(OneShotReport(panes: snapshot, check: alert))
        } else {
            print(OneShotScreen.text(snapshot, database: database.configuration.displayTarget, width: width, ascii: dashboard.ascii),
                  terminator: "")
        }
        if alert.isAlerting { throw ExitCode.failure }
    }
}

/// `dash --once --json`: every pane of the snapshot, and the verdict of `wsync check` beside them.
struct OneShotReport: Encodable {
    let panes: DashboardSnapshot
    let check: SyncAlert

    private enum CodingKeys: String, CodingKey { case check }

    func encode(to encoder: any Encoder) throws {
        try panes.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(check, forKey: .check)
    }
}
