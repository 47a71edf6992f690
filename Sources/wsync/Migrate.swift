import ArgumentParser
import SyncEngine

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the wsync schema (idempotent).")
    func run() async throws {}
}
