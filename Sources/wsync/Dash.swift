import ArgumentParser

struct Dash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard: five panes, operations on keys (? lists them).",
        discussion: "Themes: themes/ and $XDG_CONFIG_HOME/wsync/themes. NO_COLOR disables colour like --no-color.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var dashboard: DashboardOptions

    func run() throws {
        dashboard.open(database.configuration)
    }
}
