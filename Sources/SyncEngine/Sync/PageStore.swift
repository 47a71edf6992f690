import Foundation
import Postgres

/// The lease on a job was taken over (expired, or the holder was presumed dead): this run must write nothing more.
struct LeaseLost: Error, CustomStringConvertible {
    var description: String { "the job's lease was taken over by another worker; this run stopped writing" }
}

/// Stores one page of issues: ONE statement upserts the page's authors and issues (by `github_id`), in ONE
/// transaction with the job's bookkeeping, fenced by the lease owner. The high-water mark moves in the same
/// transaction, so it is visible only once the page is committed.
enum PageStore {
    /// The page as one jsonb parameter, shaped for `jsonb_to_recordset`.
    private struct Record: Encodable {
        let github_id: Int64
        let number: Int
        let title: String
        let body: String?
        let state: String
        let state_reason: String?
        let author_github_id: Int64?
        let author_login: String?
        let author_avatar_url: String?
        let author_is_bot: Bool?
        let created_at: Date
        let updated_at: Date
        let closed_at: Date?
        let labels: JSONValue
        let assignees: JSONValue
        let milestone: JSONValue
        let comments_count: Int

        init(_ issue: GitHubIssue) {
            github_id = issue.id
            number = issue.number
            title = issue.title
            body = issue.body
            state = issue.state
            state_reason = issue.stateReason
            author_github_id = issue.user?.id
            author_login = issue.user?.login
            author_avatar_url = issue.user?.avatarURL
            author_is_bot = issue.user?.isBot
            created_at = issue.createdAt
            updated_at = issue.updatedAt
            closed_at = issue.closedAt
            labels = issue.labels
            assignees = issue.assignees
            milestone = issue.milestone
            comments_count = issue.comments
        }

        func encode(to encoder: any Encoder) throws {
            // Explicit nulls keep every key present for jsonb_to_recordset.
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(github_id, forKey: .github_id)
            try c.encode(number, forKey: .number)
            try c.encode(title, forKey: .title)
            try c.encode(body, forKey: .body)
            try c.encode(state, forKey: .state)
            try c.encode(state_reason, forKey: .state_reason)
            try c.encode(author_github_id, forKey: .author_github_id)
            try c.encode(author_login, forKey: .author_login)
            try c.encode(author_avatar_url, forKey: .author_avatar_url)
            try c.encode(author_is_bot, forKey: .author_is_bot)
            try c.encode(created_at, forKey: .created_at)
            try c.encode(updated_at, forKey: .updated_at)
            try c.encode(closed_at, forKey: .closed_at)
            try c.encode(labels, forKey: .labels)
            try c.encode(assignees, forKey: .assignees)
            try c.encode(milestone, forKey: .milestone)
            try c.encode(comments_count, forKey: .comments_count)
        }

        enum Key: String, CodingKey {
            case github_id, number, title, body, state, state_reason, author_github_id, author_login, author_avatar_url,
                 author_is_bot, created_at, updated_at, closed_at, labels, assignees, milestone, comments_count
        }
    }

    static func json(_ issues: [GitHubIssue]) throws -> JSONText {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return JSONText(String(decoding: try encoder.encode(issues.map(Record.init)), as: UTF8.self))
    }

    /// What the page changed.
    struct Stored: Sendable {
        var upserted: Int
    }

    /// Stores `issues` for `job` if `owner` still holds its lease; advances the high-water mark to `highWater`
    /// (when given) in the same transaction. Throws `LeaseLost` (and writes nothing) otherwise.
    static func store(
        _ issues: [GitHubIssue], job: SyncJob, owner: String, highWater: Date?, renamedTo newName: String?,
        lease: Duration, connection: Connection
    ) throws -> Stored {
        let page = try json(issues)
        return try connection.transaction { c in
            let fenced = try c.query("""
                UPDATE workspace_tracked_repositories
                SET lease_expires_at = now() + make_interval(secs => \(lease.seconds)),
                    issues_since = CASE WHEN \(highWater)::timestamptz IS NULL THEN issues_since
                                        ELSE GREATEST(issues_since, \(highWater)::timestamptz) END,
                    issues_etag = CASE WHEN \(highWater)::timestamptz IS NULL THEN issues_etag ELSE NULL END
                WHERE id = \(job.id) AND lease_owner = \(owner)
                RETURNING id
                """)
            guard !fenced.isEmpty else { throw LeaseLost() }
            if let newName { try rename(job.repositoryID, to: newName, connection: c) }
            let counts = try c.query("""
                WITH page AS (
                    SELECT * FROM jsonb_to_recordset(\(page)::jsonb) AS p(
                        github_id bigint, number integer, title text, body text, state text, state_reason text,
                        author_github_id bigint, author_login text, author_avatar_url text, author_is_bot boolean,
                        created_at timestamptz, updated_at timestamptz, closed_at timestamptz,
                        labels jsonb, assignees jsonb, milestone jsonb, comments_count integer)
                ),
                authors AS (
                    INSERT INTO contributors (github_id, username, avatar_url, is_bot)
                    SELECT DISTINCT ON (author_github_id) author_github_id, author_login, author_avatar_url,
                           coalesce(author_is_bot, false)
                    FROM page WHERE author_github_id IS NOT NULL
                    ORDER BY author_github_id
                    ON CONFLICT (github_id) DO UPDATE
                    SET username = EXCLUDED.username, avatar_url = EXCLUDED.avatar_url, is_bot = EXCLUDED.is_bot,
                        updated_at = now()
                    RETURNING id, github_id
                ),
                upserted AS (
                    INSERT INTO issues (github_id, repository_id, number, title, body, state, state_reason, author_id,
                                        created_at, updated_at, closed_at, labels, assignees, milestone,
                                        comments_count, is_pull_request)
                    SELECT p.github_id, \(job.repositoryID), p.number, p.title, p.body, p.state, p.state_reason, a.id,
                           p.created_at, p.updated_at, p.closed_at, coalesce(p.labels, '[]'), coalesce(p.assignees, '[]'),
                           CASE WHEN jsonb_typeof(p.milestone) = 'null' THEN NULL ELSE p.milestone END,
                           coalesce(p.comments_count, 0), false
                    FROM page p LEFT JOIN authors a ON a.github_id = p.author_github_id
                    ORDER BY p.github_id
                    ON CONFLICT (github_id) DO UPDATE
                    SET number = EXCLUDED.number, title = EXCLUDED.title, body = EXCLUDED.body,
                        state = EXCLUDED.state, state_reason = EXCLUDED.state_reason, author_id = EXCLUDED.author_id,
                        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
                        closed_at = EXCLUDED.closed_at, labels = EXCLUDED.labels, assignees = EXCLUDED.assignees,
                        milestone = EXCLUDED.milestone, comments_count = EXCLUDED.comments_count
                    -- An older copy (a slower concurrent sync of the same repository) never overwrites a newer one,
                    -- and a copy already stored (the overlap of `since`) is neither rewritten nor counted.
                    WHERE issues.updated_at < EXCLUDED.updated_at
                       OR (issues.updated_at = EXCLUDED.updated_at
                           AND (issues.number, issues.title, issues.body, issues.state, issues.state_reason, issues.author_id,
                                issues.created_at, issues.closed_at, issues.labels, issues.assignees, issues.milestone,
                                issues.comments_count)
                               IS DISTINCT FROM (EXCLUDED.number, EXCLUDED.title, EXCLUDED.body, EXCLUDED.state,
                                EXCLUDED.state_reason, EXCLUDED.author_id, EXCLUDED.created_at, EXCLUDED.closed_at,
                                EXCLUDED.labels, EXCLUDED.assignees, EXCLUDED.milestone, EXCLUDED.comments_count))
                    RETURNING 1
                )
                SELECT count(*) AS upserted FROM upserted
                """)
            return Stored(upserted: try counts.first?.decode("upserted", as: Int.self) ?? 0)
        }
    }

    /// A moved repository: record its new owner/name (unless another row already claims that name).
    private static func rename(_ repositoryID: UUID, to fullName: String, connection: Connection) throws {
        let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        try connection.execute("""
            UPDATE repositories SET full_name = \(fullName), owner = \(parts[0]), name = \(parts[1]), updated_at = now()
            WHERE id = \(repositoryID) AND full_name <> \(fullName)
              AND NOT EXISTS (SELECT 1 FROM repositories other WHERE other.full_name = \(fullName))
            """)
    }
}
