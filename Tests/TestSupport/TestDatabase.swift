import Foundation
import Postgres
import SyncEngine

/// The shapes of database wsync must run on.
public enum DatabaseShape: String, CaseIterable, Sendable, CustomStringConvertible {
    /// What `wsync migrate` makes of an empty database.
    case fresh
    /// contributor.info's production tables today (`shared/reference/production-schema.md`), then migrated.
    case production
    /// The same in the operations guide's era (January 2025): tiers free, pro and private.
    case guideEra = "guide-era"

    public var description: String { rawValue }

    /// The richest tier the shape allows.
    public var topTier: String { self == .guideEra ? "private" : "team" }
    /// Every tier the shape allows, in wsync's display order.
    public var tiers: [String] { [topTier, "pro", "free"] }

    /// Builds the shape's tables on an empty database (without migrating).
    func build(_ connection: Connection) throws {
        guard self != .fresh else { return }
        try connection.executeScript(ProductionSchema.roles)
        try connection.executeScript(ProductionSchema.platform)
        try connection.executeScript(ProductionSchema.tables)
        try connection.executeScript(ProductionSchema.triggers)
        if self == .production { try connection.executeScript(ProductionSchema.current) }
    }

    fileprivate var templateName: SQLIdentifier { SQLIdentifier("wsync_template_\(rawValue.replacingOccurrences(of: "-", with: "_"))") }
}

/// A fresh database in the test process's throwaway cluster. Migrated databases are cloned from a template that is
/// built and migrated once per process and shape, so each test gets its own database in milliseconds.
public struct TestDatabase: Sendable {
    public let name: String
    public let cluster: ThrowawayCluster
    public let shape: DatabaseShape

    /// A new database of `shape`: migrated (cloned from the template) or not yet.
    public static func create(shape: DatabaseShape = .fresh, migrated: Bool = true) throws -> TestDatabase {
        let cluster = try SharedTestCluster.cluster.get()
        let name = "test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "_"))"
        let admin = try Connection(cluster.configuration())
        if migrated {
            let template = try SharedTestCluster.template(shape)
            try admin.execute("CREATE DATABASE \(identifier: SQLIdentifier(name)) TEMPLATE \(identifier: template)")
        } else {
            try admin.execute("CREATE DATABASE \(identifier: SQLIdentifier(name))")
            try shape.build(Connection(cluster.configuration(database: name)))
        }
        return TestDatabase(name: name, cluster: cluster, shape: shape)
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
    /// Started on first use; stopped at process exit (and by its watchdog if the process dies).
    static let cluster: Result<ThrowawayCluster, Error> = Result {
        let cluster = try ThrowawayCluster(prefix: "wsync-test-pg")
        atexit { try? SharedTestCluster.cluster.get().stop() }
        return cluster
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: [DatabaseShape: Result<SQLIdentifier, Error>] = [:]

    /// The shape's migrated template, built on first use.
    static func template(_ shape: DatabaseShape) throws -> SQLIdentifier {
        try lock.withLock {
            if let known = built[shape] { return try known.get() }
            let result = Result { () -> SQLIdentifier in
                let cluster = try cluster.get()
                let admin = try Connection(cluster.configuration())
                try admin.execute("CREATE DATABASE \(identifier: shape.templateName)")
                let template = try Connection(cluster.configuration(database: shape.templateName.name))
                try shape.build(template)
                _ = try Migrator(connection: template).migrate()
                return shape.templateName
            }
            built[shape] = result
            return try result.get()
        }
    }
}
