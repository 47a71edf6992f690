/// The kinds of operator actions the audit log records. Raw values are what `wsync audit` shows.
public enum AuditAction: String, Codable, Sendable, CaseIterable {
    case link
    case reset
    case retry
    case stopAll = "stop-all"
    case resume
    case slowDown = "slow-down"
    case pauseTier = "pause-tier"
    case undo
    case cleanup
    case setFrequency = "set-frequency"
    case setRetention = "set-retention"
    case rollback
    case sync
    /// The sync engine deactivated a job whose repository GitHub kept answering 404/410 for.
    case deactivateGone = "deactivate-gone"
    /// `wsync check` rebuilt the dashboard rollup after writes that bypassed its triggers.
    case repairRollup = "repair-rollup"

    /// Stop-all and rollback set the global pause switch; undoing the last of them in effect clears it.
    public var pausesSyncing: Bool { Self.pausing.contains(self) }
    static let pausing: [AuditAction] = [.stopAll, .rollback]
}

/// The job-row columns an undoable action changed. Each names a fixed column set, so undo statements are literal SQL.
public enum RestorableField: String, Codable, Sendable {
    /// `is_active` (stop-all, pause-tier, rollback).
    case activity
    /// `sync_frequency_hours` (slow-down, set frequency).
    case frequency
    /// `data_retention_days` (set retention).
    case retention
    /// `sync_frequency_hours` and `priority_score` (link --apply-tier-defaults).
    case schedule
    /// `sync_attempts`, `next_sync_at`, `last_sync_error` (reset).
    case retryState = "retry_state"
    /// `is_active` and the "gone" streak `gone_count`, `gone_since` (a gone repository's deactivation).
    case goneState = "gone_state"
}
