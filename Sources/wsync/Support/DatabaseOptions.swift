import ArgumentParser
import Foundation
import Postgres
import SyncEngine

/// `--database-url`, else DATABASE_URL, else libpq's own defaults (PGHOST, PGUSER, service files, .pgpass).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("PostgreSQL URL or conninfo (default: $DATABASE_URL, then libpq's PG* defaults).", valueName: "url"))
    var databaseURL: String?

    var configuration: ConnectionConfiguration {
        let environment = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let given = databaseURL.flatMap { $0.isEmpty ? nil : $0 }
        return ConnectionConfiguration(conninfo: given ?? environment,
                                       origin: given != nil ? "--database-url" : environment != nil ? "DATABASE_URL" : nil,
                                       settingAdvice: Self.settingAdvice)
    }

    /// Said after every connection failure: how to point wsync at a database.
    static let settingAdvice =
        "set the connection with DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DATABASE (or --database-url URL)"

    /// A value that is not a connection string at all is refused before anything runs.
    func validate() throws {
        if let problem = configuration.malformation {
            throw WSyncError.failed("\(configuration.origin ?? "the connection string") is not a PostgreSQL connection string: \(problem); \(Self.settingAdvice)")
        }
    }

    func connect(readOnly: Bool = false) throws -> Connection {
        var configuration = configuration
        configuration.readOnly = readOnly
        return try Connection(configuration)
    }
}
