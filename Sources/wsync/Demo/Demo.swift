import ArgumentParser
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A throwaway PostgreSQL, a GitHub simulator, seeded workspaces, a worker and the dashboard, in one command.",
        discussion: "Everything is removed on quit. With --keep, it stays up after the dashboard closes and prints the URLs for other commands; Ctrl-C then ends it.")

    @OptionGroup var dashboard: DashboardOptions

    @Flag(help: "Keep PostgreSQL, the simulator and the worker running after the dashboard closes.")
    var keep = false

    @Option(help: "Workspaces to seed (about 7.5 tracked repositories each).")
    var workspaces: Int = 40

    @Option(help: "Repositories the demo worker syncs at once.")
    var concurrency: Int = 4

    @Option(help: "GitHub requests the simulator allows per five minutes.")
    var rateLimit: Int = 400

    func validate() throws {
        guard (1...500).contains(workspaces) else { throw ValidationError("--workspaces must be between 1 and 500") }
        guard (1...16).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 16") }
        guard rateLimit >= 10 else { throw ValidationError("--rate-limit must be at least 10") }
        try dashboard.validateTheme()
        try dashboard.requireTerminal()
    }

    func run() async throws {
        let progress: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("wsync demo: \($0)\n".utf8)) }
        let environment = try await DemoEnvironment.start(
            .init(workspaces: workspaces, concurrency: concurrency, rateLimit: rateLimit), progress: progress)
        let quit = QuitSwitch()
        ShutdownSignal.onSignal { quit.request() }
        await dashboard.openOffPool(
            environment.database, github: environment.github,
            notice: "demo — try Tab, Enter, r reset, s sync, X stop all then u undo, ? help",
            quit: quit)
        if keep {
            print("""
                demo still running; in another terminal:
                  export DATABASE_URL='\(environment.cluster.url(database: DemoEnvironment.databaseName))'
                  export GITHUB_API_URL='\(environment.simulator.baseURL.absoluteString)' GITHUB_TOKEN='\(DemoEnvironment.token)'
                press Ctrl-C to stop it and remove its files
                """)
            await quit.wait()
        }
        progress("stopping the worker, the simulator and PostgreSQL…")
        await environment.stop()
    }
}
