import ArgumentParser
import SyncEngine

@main
struct WSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wsync",
        abstract: "Run and operate the workspace sync system: schema, workers, operations and a live dashboard.",
        version: WSyncVersion.current,
        subcommands: [
            Migrate.self,
            SimulateGitHub.self,
        ]
    )
}
