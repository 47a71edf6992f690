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

    static let lock = NSLock()
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

extension TestDatabase {
    /// A role of the shared cluster that must log in with `password` (scram-sha-256), for tests of a wrong password:
    /// pg_hba.conf gets a line for it ahead of the cluster's `trust` lines, and the server reloads it.
    public static func passwordRole(password: String, superuser: Bool = false) throws -> (role: String, url: @Sendable (String) -> String) {
        let cluster = try SharedTestCluster.cluster.get()
        let role = "pw_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try Connection(cluster.configuration())
        try admin.execute("SET password_encryption = 'scram-sha-256'")
        // Passwords cannot be bound parameters: the DO block reads them from settings of this session.
        try admin.execute("SELECT set_config('wsync.test_role', \(role), false), set_config('wsync.test_password', \(password), false), set_config('wsync.test_superuser', \(superuser ? "on" : "off"), false)")
        try admin.executeScript("""
            DO $$ BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', current_setting('wsync.test_role'), current_setting('wsync.test_password'));
                IF current_setting('wsync.test_superuser') = 'on' THEN
                    EXECUTE format('ALTER ROLE %I SUPERUSER', current_setting('wsync.test_role'));
                END IF;
            END $$
            """)
        try SharedTestCluster.lock.withLock {
            let hba = try admin.query("SHOW hba_file")[0].decode(0, as: String.self)
            let existing = try String(contentsOfFile: hba, encoding: .utf8)
            try ("local all \(role) scram-sha-256\n" + existing).write(toFile: hba, atomically: false, encoding: .utf8)
            try admin.execute("SELECT pg_reload_conf()")
        }
        // The reload is asynchronous: wait until the server asks this role for a password.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let hbaRules = try admin.query("SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE \(role) = ANY(user_name)")[0]
            if try hbaRules.decode("n", as: Int.self) > 0 {
                Thread.sleep(forTimeInterval: 0.3)
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let socket = cluster.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cluster.socketDirectory
        return (role, { given in
            let encoded = given.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? given
            return "postgresql://\(role):\(encoded)@/postgres?host=\(socket)&port=\(cluster.port)"
        })
    }
}
