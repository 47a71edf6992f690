import Foundation
import Postgres

/// The dashboard's rollup (`wsync.job_rollup`) beside a full count of the tables it sums (`wsync check`). Its
/// triggers keep it exact; it can drift only when writes bypass them (triggers disabled, `session_replication_role =
/// replica`) or race a workspace's change of tier.
public enum DashboardRollup {
    /// One tier whose rollup differs from the full count: each differing column with both values.
    public struct Drift: Codable, Sendable, Equatable, CustomStringConvertible {
        public var tier: String
        public var columns: [String: Counts]

        public struct Counts: Codable, Sendable, Equatable {
            public var rollup: Double
            public var counted: Double
        }

        /// The `tier` of drift in the counts kept per quarter hour (`JobClockCountsSQL`), whose columns are kinds and
        /// quarter hours.
        public static let clockCounts = "(counts by the quarter hour)"

        public var description: String {
            let name = tier.isEmpty ? "(jobs without a workspace)" : tier == Self.clockCounts ? "counts by the quarter hour" : "tier \(tier)"
            let differences = columns.sorted { $0.key < $1.key }.map { column, counts in
                "\(column) \(Cell.number(counts.rollup)) counted \(Cell.number(counts.counted))"
            }
            return "\(name): \(differences.joined(separator: ", "))"
        }
    }

    /// The tiers where the rollup and a full count differ, and the buckets where the counts kept by the clock do (each
    /// one statement, one snapshot, so writers in flight are no drift).
    public static func drift(_ connection: Connection) throws -> [Drift] {
        try tierDrift(connection) + clockDrift(connection)
    }

    private static func clockDrift(_ connection: Connection) throws -> [Drift] {
        var columns: [String: Drift.Counts] = [:]
        for row in try connection.query(JobClockCountsSQL.drift) {
            let kind: String = try row.decode("kind"), bucket: String = try row.decode("bucket")
            columns["\(kind) \(bucket)"] = Drift.Counts(rollup: try row.decode("kept"), counted: try row.decode("counted"))
        }
        return columns.isEmpty ? [] : [Drift(tier: Drift.clockCounts, columns: columns)]
    }

    private static func tierDrift(_ connection: Connection) throws -> [Drift] {
        try connection.query(JobRollupSQL.drift).map { row in
            let rollup = try row.decodeJSON("rollup", as: [String: Double]?.self) ?? [:]
            let counted = try row.decodeJSON("counted", as: [String: Double]?.self) ?? [:]
            var columns: [String: Drift.Counts] = [:]
            for key in Set(rollup.keys).union(counted.keys) where rollup[key] ?? 0 != counted[key] ?? 0 {
                columns[key] = Drift.Counts(rollup: rollup[key] ?? 0, counted: counted[key] ?? 0)
            }
            return Drift(tier: try row.decode("tier"), columns: columns)
        }
    }

    /// Rebuilds the rollup from a full count when it drifted (locking out writers of the job and workspace tables
    /// meanwhile), audited in the same transaction with what had drifted; returns the drift it repaired, empty when
    /// there was none (and then writes nothing).
    public static func repairDrift(_ connection: Connection, actor: String) throws -> [Drift] {
        let found = try drift(connection)
        guard !found.isEmpty else { return [] }
        try connection.transaction { connection in
            try connection.executeScript(JobRollupSQL.rebuild)
            try connection.executeScript(JobClockCountsSQL.rebuild)
            var parameters: [String: String] = [:]
            for drift in found { parameters[drift.tier.isEmpty ? "(no workspace)" : drift.tier] = drift.description }
            _ = try AuditLog.record(connection, actor: actor, action: .repairRollup, parameters: parameters,
                                    summary: "rebuilt the dashboard rollup, which had drifted in \(found.count) tier(s)",
                                    affectedRows: 0)
        }
        return found
    }
}
