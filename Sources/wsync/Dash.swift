import ArgumentParser
import Dashboard
import Foundation

struct Dash: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The live dashboard: five panes, operations on keys (? lists them).",
        discussion: "Themes: themes/ and $XDG_CONFIG_HOME/wsync/themes. NO_COLOR disables colour like --no-color.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Seconds between refreshes (0.5–3600; + and - change it live).", valueName: "seconds"))
    var interval: Double = 2

    @Option(help: ArgumentHelp("Theme name or path to a .theme file.", valueName: "name|path"))
    var theme: String = "default"

    @Flag(help: "Refuse every mutating key and open the PostgreSQL session read-only.")
    var readOnly = false

    @Flag(help: "No colours (attributes only); also when NO_COLOR is set.")
    var noColor = false

    @Flag(help: "Draw lines and gauges with ASCII only.")
    var ascii = false

    @Option(help: ArgumentHelp("Who is acting, for the audit log (default: the OS user).", valueName: "name"))
    var actor: String = ProcessInfo.processInfo.environment["USER"] ?? NSUserName()

    func validate() throws {
        guard (0.5...3600).contains(interval) else { throw ValidationError("--interval must be between 0.5 and 3600 seconds") }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("wsync dash needs a terminal; for scripts use `wsync status --json`")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let colorAllowed = !noColor && (environment["NO_COLOR"] ?? "").isEmpty
        var configuration = database.configuration
        configuration.readOnly = readOnly
        configuration.applicationName = "wsync dash"
        let catalog = ThemeCatalog.standard()
        let (startTheme, themeError) = catalog.loadWithFallback(theme)

        var state = DashboardState(database: configuration.displayTarget, readOnly: readOnly, interval: interval,
                                   now: Date(), themeNames: catalog.names, themeName: startTheme.name)
        state.glyphs = ascii ? .ascii : .unicode
        let effects = DatabaseEffects(configuration: configuration, actor: actor, interval: interval)
        let app = DashboardApp(state: state, screen: TerminalScreen(colorAllowed: colorAllowed), effects: effects,
                               catalog: catalog, theme: startTheme)
        if let themeError { app.post(.themeFailed(message: "\(themeError.description); using \(startTheme.name)")) }
        app.run()
    }
}
