import ArgumentParser
import Dashboard
import Foundation
import Postgres
import SyncEngine

/// The dashboard's options and how it opens: shared by `wsync dash` and `wsync demo`.
struct DashboardOptions: ParsableArguments {
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

    @Flag(help: "Leave the mouse to the terminal (M toggles it in the dashboard): no clicks or wheel, text selects as usual.")
    var noMouse = false

    @Option(name: .customLong("actor"), help: ArgumentHelp("Who is acting, for the audit log (default: the OS user).", valueName: "name"))
    var actorName: String?

    var actor: String { actorName ?? osUserName }

    func validate() throws {
        guard (0.5...3600).contains(interval) else { throw ValidationError("--interval must be between 0.5 and 3600 seconds") }
    }

    /// A `--theme` that cannot be used stops the dashboard before it touches the terminal (the `t` key's themes,
    /// loaded later, fall back to the default with a message instead).
    func validateTheme() throws {
        guard theme != "default" else { return }
        do {
            _ = try ThemeCatalog.standard().load(theme)
        } catch {
            throw WSyncError.failed("--theme: \(error.description); fix the file or pass another --theme")
        }
    }

    /// The live dashboard draws on a terminal and reads keys from it.
    func requireTerminal() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw ValidationError("the dashboard needs a terminal; for scripts use `wsync dash --once` or `wsync status --json`")
        }
    }

    /// Runs the dashboard until the user quits; the terminal is restored before it returns. Blocks the calling
    /// thread, so async callers run it on a thread of its own (see `openOffPool`).
    /// `github` defaults to GITHUB_API_URL and GITHUB_TOKEN.
    func open(_ database: ConnectionConfiguration, github: GitHubConfiguration? = nil, notice: String? = nil, quit: QuitSwitch? = nil) {
        let environment = ProcessInfo.processInfo.environment
        let colorAllowed = !noColor && (environment["NO_COLOR"] ?? "").isEmpty
        var configuration = database
        configuration.readOnly = readOnly
        configuration.applicationName = "wsync dash"
        let catalog = ThemeCatalog.standard()
        let (startTheme, themeError) = catalog.loadWithFallback(theme)

        var state = DashboardState(database: configuration.displayTarget, readOnly: readOnly, interval: interval,
                                   now: Date(), themeNames: catalog.names, themeName: startTheme.name)
        let screen = TerminalScreen(colorAllowed: colorAllowed, ownerHandlesStopSignals: quit != nil)
        state.glyphs = ascii || !screen.unicode ? .ascii : .unicode
        state.mouseEnabled = !noMouse
        state.commandDatabaseArgument = Self.commandDatabaseArgument(database)
        let githubConfiguration: Result<GitHubConfiguration, ConfigurationError> = if let github { .success(github) } else {
            Result { try GitHubConfiguration.fromEnvironment() }.mapError { $0 as? ConfigurationError ?? ConfigurationError("\($0)") }
        }
        let effects = DatabaseEffects(configuration: configuration, github: githubConfiguration, actor: actor, interval: interval)
        let app = DashboardApp(state: state, screen: screen, effects: effects,
                               catalog: catalog, theme: startTheme)
        if let notice { app.post(.notice(message: notice)) }
        if let themeError { app.post(.themeFailed(message: "\(themeError.description); using \(startTheme.name)")) }
        let inbox = app.events
        quit?.attach { inbox.post(.key(.controlC)) }
        app.run()
    }

    /// How command lines copied from the dashboard (`y`) name the database: not at all when it came from
    /// DATABASE_URL or libpq's defaults (the shell that runs the command has them too), else `--database-url` without
    /// the password (libpq finds it in PGPASSWORD or .pgpass).
    static func commandDatabaseArgument(_ database: ConnectionConfiguration) -> String? {
        guard let conninfo = database.conninfo, conninfo != ProcessInfo.processInfo.environment["DATABASE_URL"],
              let withoutPassword = database.conninfoWithoutPassword else { return nil }
        return "--database-url " + shellQuoted(withoutPassword)
    }

    /// `open` on a dedicated thread, so the UI loop never occupies one of the few cooperative-pool threads.
    func openOffPool(_ database: ConnectionConfiguration, github: GitHubConfiguration? = nil, notice: String? = nil, quit: QuitSwitch? = nil) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                open(database, github: github, notice: notice, quit: quit)
                continuation.resume()
            }
        }
    }
}

/// Lets a signal handler ask a running dashboard to quit the way Ctrl-C does.
final class QuitSwitch: @unchecked Sendable {
    private let lock = NSLock()
    private var action: (@Sendable () -> Void)?
    private var requested = false

    func attach(_ action: @escaping @Sendable () -> Void) {
        let fire = lock.withLock { () -> Bool in
            self.action = action
            return requested
        }
        if fire { action() }
    }

    func request() {
        let (action, waiters) = lock.withLock { () -> ((@Sendable () -> Void)?, [CheckedContinuation<Void, Never>]) in
            requested = true
            defer { self.waiters = [] }
            return (self.action, self.waiters)
        }
        action?()
        waiters.forEach { $0.resume() }
    }

    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Returns once quitting was requested.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = lock.withLock { () -> Bool in
                if !requested { waiters.append(continuation) }
                return requested
            }
            if already { continuation.resume() }
        }
    }
}
