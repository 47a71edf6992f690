import ArgumentParser
import Foundation
import Postgres

/// `--database-url`, else DATABASE_URL, else libpq's own defaults (PGHOST, PGUSER, service files, .pgpass).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("PostgreSQL URL or conninfo (default: $DATABASE_URL, then libpq's PG* defaults).", valueName: "url"))
    var databaseURL: String?

    var configuration: ConnectionConfiguration {
        ConnectionConfiguration(conninfo: databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"])
    }

    func connect(readOnly: Bool = false) throws -> Connection {
        var configuration = configuration
        configuration.readOnly = readOnly
        return try Connection(configuration)
    }
}
