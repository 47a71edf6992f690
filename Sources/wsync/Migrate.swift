import ArgumentParser
import SyncEngine

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the wsync schema (idempotent; keeps existing tables and rows).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let outcome = try Migrator(connection: database.connect()).migrate()
        if outcome.alreadyCurrent {
            print("schema is up to date (version \(outcome.currentVersion)); nothing changed")
        } else {
            print("applied migrations \(outcome.applied.map(String.init).joined(separator: ", ")); schema is at version \(outcome.currentVersion)")
        }
    }
}
