import Foundation
import Postgres

/// A workspace tier. Tiers are data: whatever the database's CHECK on `workspaces.tier` allows, plus whatever
/// workspaces hold (production today allows free, pro and team; the guide's era free, pro and private).
public struct Tier: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// Names wsync knows; whether a database has them is `existing`'s to say.
    public static let free = Tier(rawValue: "free")
    public static let pro = Tier(rawValue: "pro")

    /// What `wsync link` gives a tier's new jobs.
    public struct Defaults: Sendable, Equatable {
        public var frequencyHours: Int
        public var priority: Int
    }

    /// Defaults of the tiers wsync knows by name; the richer the tier, the more often and the sooner.
    static let knownDefaults: [String: Defaults] = [
        "enterprise": Defaults(frequencyHours: 2, priority: 90),
        "private": Defaults(frequencyHours: 4, priority: 80),
        "team": Defaults(frequencyHours: 4, priority: 80),
        "pro": Defaults(frequencyHours: 8, priority: 60),
        "free": Defaults(frequencyHours: 24, priority: 30),
    ]
    /// A tier wsync does not know syncs like free: daily, low priority.
    public static let fallbackDefaults = Defaults(frequencyHours: 24, priority: 30)

    public var defaults: Defaults { Self.knownDefaults[rawValue] ?? Self.fallbackDefaults }

    /// Display order: the known tiers richest first, then any other alphabetically.
    static let displayRank = ["enterprise", "private", "team", "pro", "free"]

    /// Rows `(tier, position)`: every tier the database allows or holds, in display order.
    static let existingQuery: SQL = """
        SELECT tier, row_number() OVER (ORDER BY coalesce(array_position(\(displayRank)::text[], tier), 1000), tier) AS position
        FROM (
            SELECT (regexp_matches(pg_get_constraintdef(con.oid), '''([^'']+)''', 'g'))[1] AS tier
            FROM pg_constraint con
            WHERE con.conrelid = 'public.workspaces'::regclass AND con.contype = 'c'
              AND con.conkey = ARRAY[(SELECT attnum FROM pg_attribute
                                      WHERE attrelid = 'public.workspaces'::regclass AND attname = 'tier')]
            UNION
            SELECT tier FROM workspaces WHERE tier IS NOT NULL
        ) allowed
        """

    /// Every tier the database allows or holds, in display order.
    public static func existing(_ connection: Connection) throws -> [Tier] {
        try connection.query("SELECT tier FROM (\(existingQuery)) t ORDER BY position").map {
            Tier(rawValue: try $0.decode("tier", as: String.self))
        }
    }

    /// The tier named by the user, if the database has it; else an error naming the ones it has.
    public static func validated(_ text: String, on connection: Connection) throws -> Tier {
        let name = text.trimmingCharacters(in: .whitespaces)
        let tiers = try existing(connection)
        guard let tier = tiers.first(where: { $0.rawValue == name }) ?? tiers.first(where: { $0.rawValue == name.lowercased() }) else {
            throw WSyncError.invalidInput(.tier, value: "\"\(text)\"", rule: "is an unknown tier; this database has: \(tiers.map(\.rawValue).joined(separator: ", "))")
        }
        return tier
    }

    /// The defaults per tier as three parallel arrays, for SQL that joins them by tier name.
    static func defaultsTable(_ tiers: [Tier]) -> (names: [String], hours: [Int], priorities: [Int]) {
        (tiers.map(\.rawValue), tiers.map(\.defaults.frequencyHours), tiers.map(\.defaults.priority))
    }
}

/// The column limits of `workspace_tracked_repositories`, checked before anything is written.
public enum JobLimits {
    public static let frequencyHours = 1...168
    public static let retentionDays = 7...365

    public static func validateFrequency(_ hours: Int, as input: WSyncError.Input = .hours) throws {
        guard frequencyHours.contains(hours) else {
            throw WSyncError.invalidInput(input, value: String(hours), rule: "is outside the allowed sync frequency of 1 to 168 hours")
        }
    }

    public static func validateRetention(_ days: Int) throws {
        guard retentionDays.contains(days) else {
            throw WSyncError.invalidInput(.days, value: String(days), rule: "is outside the allowed retention of 7 to 365 days")
        }
    }
}
