import Foundation
import Postgres

/// The guide's cron alert (`wsync check`): too many jobs whose last sync failed after several attempts.
public struct SyncAlert: Codable, Sendable, Equatable {
    /// Jobs whose last sync failed with more than `minAttempts` attempts.
    public var failing: Int
    public var maxFailed: Int
    public var minAttempts: Int

    /// More than `maxFailed` jobs are failing.
    public var isAlerting: Bool { failing > maxFailed }

    /// The guide's alert text, one line.
    public var message: String {
        isAlerting
            ? "ALERT: \(failing) workspace syncs failing (more than \(maxFailed) with more than \(minAttempts) attempts)"
            : "OK: \(failing) workspace syncs failing with more than \(minAttempts) attempts (alert above \(maxFailed))"
    }

    public static func fetch(_ connection: Connection, maxFailed: Int = 5, minAttempts: Int = 3) throws -> SyncAlert {
        guard maxFailed >= 0 else { throw WSyncError.invalidInput(.maxFailed, value: String(maxFailed), rule: "must be 0 or more") }
        guard minAttempts >= 0 else { throw WSyncError.invalidInput(.minAttempts, value: String(minAttempts), rule: "must be 0 or more") }
        let row = try connection.query("SELECT (\(failingQuery(minAttempts: minAttempts)))::int AS failing")[0]
        return SyncAlert(failing: try row.decode("failing"), maxFailed: maxFailed, minAttempts: minAttempts)
    }

    /// What the check counts; `/metrics` exposes the same count, so its alert rules match the check.
    static func failingQuery(minAttempts: Int) -> SQL {
        """
        SELECT count(*) FROM workspace_tracked_repositories
        WHERE last_sync_status = 'failed' AND sync_attempts > \(minAttempts)::int
        """
    }
}
