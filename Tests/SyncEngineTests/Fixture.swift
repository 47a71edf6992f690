import Foundation
import Postgres

/// Small hand-made data sets for tests that need exact, known rows.
enum Fixture {
    /// One free workspace with one active job per frequency; returns the job ids in order.
    @discardableResult
    static func jobs(_ connection: Connection, frequencies: [Int], tier: String = "free", slug: String = "fixture") throws -> [UUID] {
        try connection.query("""
            WITH w AS (
                INSERT INTO workspaces (name, slug, tier) VALUES (\(slug), \(slug), \(tier)) RETURNING id
            ), f AS (
                SELECT hours, ordinality FROM unnest(\(frequencies)::int[]) WITH ORDINALITY AS t(hours, ordinality)
            ), r AS (
                INSERT INTO repositories (github_id, full_name, owner, name)
                SELECT 900000 + ordinality + (SELECT count(*) FROM repositories), \(slug) || '/repo-' || ordinality, \(slug), 'repo-' || ordinality FROM f
                RETURNING id, name
            ), tr AS (
                INSERT INTO tracked_repositories (repository_id) SELECT id FROM r RETURNING id, repository_id
            )
            INSERT INTO workspace_tracked_repositories (workspace_id, tracked_repository_id, sync_frequency_hours)
            SELECT w.id, tr.id, f.hours FROM w, f JOIN r ON r.name = 'repo-' || f.ordinality JOIN tr ON tr.repository_id = r.id
            RETURNING id, sync_frequency_hours
            """).map { try $0.decode("id", as: UUID.self) }
    }
}
