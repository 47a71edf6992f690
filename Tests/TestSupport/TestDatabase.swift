import Foundation
import Postgres
import SyncEngine

/// A fresh database in the test process's throwaway cluster. Migrated databases are cloned from a template that is
/// migrated once per process, so each test gets its own database in milliseconds.
public struct TestDatabase: Sendable {
    public let name: String
    public let cluster: ThrowawayCluster

    /// A new database: migrated (cloned from the template) or empty.
    public static func create(migrated: Bool = true) throws -> TestDatabase {
        let cluster = try SharedTestCluster.cluster.get()
        let name = "test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "_"))"
        let admin = try Connection(cluster.configuration())
        if migrated {
            try admin.execute("CREATE DATABASE \(identifier: SQLIdentifier(name)) TEMPLATE \(identifier: SharedTestCluster.templateName)")
        } else {
            try admin.execute("CREATE DATABASE \(identifier: SQLIdentifier(name))")
        }
        return TestDatabase(name: name, cluster: cluster)
    }

    public var configuration: ConnectionConfiguration { cluster.configuration(database: name) }
    /// A postgres:// URL for passing to the `wsync` binary as DATABASE_URL.
    public var url: String { cluster.url(database: name) }

    public func connect(readOnly: Bool = false) throws -> Connection {
        var configuration = configuration
        configuration.readOnly = readOnly
        return try Connection(configuration)
    }
}

enum SharedTestCluster {
    static let templateName = SQLIdentifier("wsync_template")

    /// Started on first use; stopped at process exit (and by its watchdog if the process dies).
    static let cluster: Result<ThrowawayCluster, Error> = Result {
        let cluster = try ThrowawayCluster(prefix: "wsync-test-pg")
        atexit { try? SharedTestCluster.cluster.get().stop() }
        let admin = try Connection(cluster.configuration())
        try admin.execute("CREATE DATABASE \(identifier: templateName)")
        let template = try Connection(cluster.configuration(database: templateName.name))
        _ = try Migrator(connection: template).migrate()
        return cluster
    }
}
