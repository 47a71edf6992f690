import Foundation
import Postgres

/// When a repository GitHub answers 404/410 for counts as gone for good: after `answers` consecutive "gone" answers
/// (no successful run in between) spread over at least `minimumSpan`. Both bounds must hold, so neither a burst of
/// fast retries nor one old answer deactivates a job.
public struct GonePolicy: Sendable, Equatable {
    public var answers: Int
    public var minimumSpan: Duration

    public static let defaultAnswers = 5
    public static let defaultMinimumHours = 72

    public init(answers: Int = defaultAnswers, minimumSpan: Duration = .seconds(defaultMinimumHours * 3600)) {
        self.answers = answers
        self.minimumSpan = minimumSpan
    }
}

enum GoneRepositories {
    /// After a "gone" run was recorded: deactivates the job if its streak meets the policy, with the reason as its
    /// error (so it stays among the failed syncs), audited as `deactivate-gone` and undoable. Returns the audit id.
    static func deactivateIfGone(_ c: Connection, job: SyncJob, policy: GonePolicy, actor: String) throws -> Int64? {
        let streak = try c.query("""
            SELECT gone_count, extract(epoch FROM now() - gone_since)::float8 AS span_seconds
            FROM workspace_tracked_repositories
            WHERE id = \(job.id) AND is_active AND gone_count >= \(policy.answers)
              AND gone_since <= now() - make_interval(secs => \(policy.minimumSpan.seconds))
            """)
        guard let row = streak.first else { return nil }
        let count = try row.decode("gone_count", as: Int.self)
        let days = Int((try row.decode("span_seconds", as: Double.self) / 86_400).rounded(.down))
        let span = days >= 1 ? counted(days, "day") : "less than a day"
        let reason = "deactivated: GitHub answered \"gone\" \(counted(count, "time")) in a row over \(span)"
        let outcome = try Operations(connection: c, actor: actor).applyRowChange("""
            WITH target AS (
                SELECT wtr.id, wtr.gone_count, wtr.gone_since, wtr.last_sync_error FROM workspace_tracked_repositories wtr
                WHERE wtr.id = \(job.id) AND wtr.is_active FOR UPDATE
            ), changed AS (
                UPDATE workspace_tracked_repositories w
                SET is_active = false, last_sync_error = \(reason) || ' (' || coalesce(t.last_sync_error, 'gone') || ')'
                FROM target t WHERE w.id = t.id
                RETURNING w.id, jsonb_build_object('is_active', true, 'gone_count', t.gone_count, 'gone_since', t.gone_since) AS before,
                          jsonb_build_object('is_active', false) AS after
            )
            \(RowChangeSQL.summary)
            """, field: .goneState, action: .deactivateGone,
            parameters: ["repository": job.fullName, "gone_answers": String(count), "min_hours": String(Int(policy.minimumSpan.seconds / 3600))]
        ) { _ in "deactivated \(job.fullName): \(reason); wsync undo restores it" }
        return outcome.actionId
    }
}
