import Foundation
import Postgres

/// The lease on a job was taken over (expired, or the holder was presumed dead): this run must write nothing more.
struct LeaseLost: Error, CustomStringConvertible {
    var description: String { "the job's lease was taken over by another worker; this run stopped writing" }
}

/// Stores one page of issues: ONE statement upserts the page's authors and issues (by `github_id`), in ONE
/// transaction with the job's bookkeeping, fenced by the lease owner. The high-water mark moves in the same
/// transaction, so it is visible only once the page is committed.
public enum PageStore {
    /// What the page changed, and what the schema refused.
    public struct Stored: Sendable, Equatable {
        public var upserted: Int
        /// Authors the contributors table refused (a login its CHECK rejects, such as `dependabot[bot]`); their
        /// issues are stored without an author.
        public var skippedAuthors = 0
        /// Issues the issues table refused.
        public var skippedIssues = 0
    }

    /// Stores `issues` for `job` if `owner` still holds its lease; advances the high-water mark to `highWater`
    /// (when given) in the same transaction. Throws `LeaseLost` (and writes nothing) otherwise. Authors `refused`
    /// holds are left out at once; those the database refuses here are added to it.
    public static func store(
        _ issues: [GitHubIssue], job: SyncJob, owner: String, highWater: Date?, renamedTo newName: String?,
        lease: Duration, refused: RefusedAuthors, connection: Connection
    ) throws -> Stored {
        let catalog = try SchemaCatalog.of(connection)
        let fence = Fence(job: job, owner: owner, highWater: highWater, lease: lease)
        let known = refused.known(among: issues)
        // The usual page is ONE statement, fence and upsert together, atomic by itself: one round trip, which is what
        // a page costs a database that is far away. A rename, and a page the schema refuses part of (that statement
        // then changed nothing), go the careful way below.
        if newName == nil {
            do {
                let (fenced, upserted) = try upsert(issues, job: job, fence: fence, skippingAuthors: known, catalog: catalog, connection: connection)
                guard fenced else { throw LeaseLost() }
                return Stored(upserted: upserted, skippedAuthors: known.count)
            } catch let error as PostgresError where error.isRefusedValue {}
        }
        return try connection.transaction { c in
            guard !(try c.query("\(fence.update) RETURNING id").isEmpty) else { throw LeaseLost() }
            if let newName { try rename(job.repositoryID, to: newName, catalog: catalog, connection: c) }
            do {
                let upserted = try c.savepoint { try upsert(issues, job: job, skippingAuthors: known, catalog: catalog, connection: $0).upserted }
                return Stored(upserted: upserted, skippedAuthors: known.count)
            } catch let error as PostgresError where error.isRefusedValue {
                return try storeItemByItem(issues, job: job, refused: refused, catalog: catalog, connection: c)
            }
        }
    }

    /// A page is stored only while its worker holds the job's lease; storing it extends the lease and advances the
    /// high-water mark (when given).
    struct Fence {
        var job: SyncJob
        var owner: String
        var highWater: Date?
        var lease: Duration

        var update: SQL {
            """
            UPDATE workspace_tracked_repositories
            SET lease_expires_at = now() + make_interval(secs => \(lease.seconds)),
                issues_since = CASE WHEN \(highWater)::timestamptz IS NULL THEN issues_since
                                    ELSE GREATEST(issues_since, \(highWater)::timestamptz) END,
                issues_etag = CASE WHEN \(highWater)::timestamptz IS NULL THEN issues_etag ELSE NULL END
            WHERE id = \(job.id) AND lease_owner = \(owner)
            """
        }
    }

    /// The slow path for a page the schema refused part of: each author, then the page without the refused ones,
    /// then (if an issue itself is refused) each issue — every try in a savepoint of its own, so that one bad item
    /// costs only itself and never the page.
    private static func storeItemByItem(_ issues: [GitHubIssue], job: SyncJob, refused known: RefusedAuthors,
                                        catalog: SchemaCatalog, connection c: Connection) throws -> Stored {
        var refused = known.known(among: issues)
        var authors: [Int64: GitHubUser] = [:]
        for issue in issues { if let user = issue.user, !refused.contains(user.id) { authors[user.id] = user } }
        var refusedNow: [GitHubUser] = []
        for author in authors.values.sorted(by: { $0.id < $1.id }) {
            do {
                try c.savepoint { try upsertAuthor(author, catalog: catalog, connection: $0) }
            } catch let error as PostgresError where error.isRefusedValue {
                refusedNow.append(author)
            }
        }
        // Remembered even if the transaction then fails: the refusal is the schema's, not this page's.
        known.remember(refusedNow)
        refused += refusedNow.map(\.id)
        do {
            let upserted = try c.savepoint {
                try upsert(issues, job: job, skippingAuthors: refused, catalog: catalog, connection: $0).upserted
            }
            return Stored(upserted: upserted, skippedAuthors: refused.count)
        } catch let error as PostgresError where error.isRefusedValue {
            var stored = Stored(upserted: 0, skippedAuthors: refused.count)
            for issue in issues {
                do {
                    stored.upserted += try c.savepoint {
                        try upsert([issue], job: job, skippingAuthors: refused, catalog: catalog, connection: $0).upserted
                    }
                } catch let error as PostgresError where error.isRefusedValue {
                    stored.skippedIssues += 1
                }
            }
            return stored
        }
    }

    /// One author. GitHub logins are unique but reused (a renamed or deleted account's login taken by someone
    /// else): GitHub's answer is the current holder, so a stale row holding the login under another `github_id`
    /// gives it up and keeps `renamed-<github_id>` until that account is seen again under its new login.
    private static func upsertAuthor(_ author: GitHubUser, catalog: SchemaCatalog, connection c: Connection) throws {
        let touch = touched("contributors", catalog)
        try c.execute("""
            UPDATE contributors SET username = 'renamed-' || github_id \(touch)
            WHERE username = \(author.login) AND github_id <> \(author.id)
            """)
        try c.execute("""
            INSERT INTO contributors (github_id, username, avatar_url, is_bot)
            VALUES (\(author.id), \(author.login), \(author.avatarURL), \(author.isBot))
            ON CONFLICT (github_id) DO UPDATE
            SET username = EXCLUDED.username, avatar_url = EXCLUDED.avatar_url, is_bot = EXCLUDED.is_bot \(touch)
            -- Stored as GitHub sends it: not rewritten (no new row version, trigger or touched time).
            WHERE (contributors.username, contributors.avatar_url, contributors.is_bot)
                  IS DISTINCT FROM (EXCLUDED.username, EXCLUDED.avatar_url, EXCLUDED.is_bot)
            """)
    }

    /// ONE statement: the page's authors (except `skippingAuthors`) and its issues, upserted by `github_id`; with a
    /// fence, only if the lease is still held (`fenced` says whether it was).
    private static func upsert(_ issues: [GitHubIssue], job: SyncJob, fence: Fence? = nil, skippingAuthors refused: [Int64] = [],
                               catalog: SchemaCatalog, connection c: Connection) throws -> (fenced: Bool, upserted: Int) {
        let rows: SQL = "SELECT * FROM jsonb_to_recordset(\(PageJSON.text(issues))::jsonb) AS p(\(rowColumns))"
        return try upsert(rows: rows, job: job, fence: fence, skippingAuthors: refused, catalog: catalog, connection: c)
    }

    /// The columns of a page's rows as the upsert reads them (the keys `PageJSON` writes).
    public static let rowColumns: SQL = """
        github_id bigint, number integer, title text, body text, state text, state_reason text,
        author_github_id bigint, author_login text, author_avatar_url text, author_is_bot boolean,
        created_at timestamptz, updated_at timestamptz, closed_at timestamptz,
        labels jsonb, assignees jsonb, milestone jsonb, comments_count integer
        """

    /// The same upsert reading a page from `table` (with the columns of `rowColumns`), unfenced: the baseline the
    /// benchmarks compare the one-statement page with, a COPY into a temporary table and then this.
    public static func upsertCopied(from table: SQLIdentifier, job: SyncJob, connection: Connection) throws -> Int {
        try upsert(rows: "SELECT * FROM \(identifier: table)", job: job, catalog: try SchemaCatalog.of(connection), connection: connection).upserted
    }

    private static func upsert(rows: SQL, job: SyncJob, fence: Fence? = nil, skippingAuthors refused: [Int64] = [],
                               catalog: SchemaCatalog, connection c: Connection) throws -> (fenced: Bool, upserted: Int) {
        let fenceQuery: SQL = fence.map { "\($0.update) RETURNING id" } ?? "SELECT NULL::uuid AS id"
        let counts = try c.query("""
            WITH fence AS (\(fenceQuery)),
            page AS (
                SELECT * FROM (\(rows)) AS p WHERE EXISTS (SELECT 1 FROM fence)
            ),
            authors AS (
                INSERT INTO contributors (github_id, username, avatar_url, is_bot)
                SELECT DISTINCT ON (author_github_id) author_github_id, author_login, author_avatar_url,
                       coalesce(author_is_bot, false)
                FROM page p WHERE author_github_id IS NOT NULL AND author_github_id <> ALL(\(refused)::bigint[])
                  -- Authors recur page after page: one already stored as GitHub sends it is neither written nor
                  -- locked (its issues find it below). Any other is upserted and returned, even one another
                  -- worker inserted a moment ago, which this statement's snapshot cannot see.
                  AND NOT EXISTS (SELECT 1 FROM contributors stored WHERE stored.github_id = p.author_github_id
                                    AND (stored.username, stored.avatar_url, stored.is_bot)
                                        IS NOT DISTINCT FROM (p.author_login, p.author_avatar_url, coalesce(p.author_is_bot, false)))
                ORDER BY author_github_id
                ON CONFLICT (github_id) DO UPDATE
                SET username = EXCLUDED.username, avatar_url = EXCLUDED.avatar_url, is_bot = EXCLUDED.is_bot
                    \(touched("contributors", catalog))
                RETURNING id, github_id
            ),
            upserted AS (
                INSERT INTO issues (github_id, repository_id, number, title, body, state, state_reason, author_id,
                                    created_at, updated_at, closed_at, labels, assignees, milestone,
                                    comments_count, is_pull_request)
                SELECT p.github_id, \(job.repositoryID), p.number, p.title, p.body, p.state, p.state_reason,
                       -- Upserted by this statement, else stored unchanged before it.
                       coalesce(a.id, (SELECT stored.id FROM contributors stored
                                       WHERE stored.github_id = p.author_github_id
                                         AND p.author_github_id <> ALL(\(refused)::bigint[]))),
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
            SELECT EXISTS (SELECT 1 FROM fence) AS fenced, (SELECT count(*) FROM upserted) AS upserted
            """)
        let row = counts[0]
        return (try row.decode("fenced", as: Bool.self), try row.decode("upserted", as: Int.self))
    }

    /// `, <row time> = now()` for a table's own modification-time column: production's `last_updated_at`, an
    /// older wsync install's `updated_at`, or nothing where the table has neither.
    static func touched(_ table: String, _ catalog: SchemaCatalog) -> SQL {
        if catalog.has(table, column: "last_updated_at") { return ", last_updated_at = now()" }
        if catalog.has(table, column: "updated_at") { return ", updated_at = now()" }
        return ""
    }

    /// A moved repository: record its new owner/name (unless another row already claims that name).
    private static func rename(_ repositoryID: UUID, to fullName: String, catalog: SchemaCatalog, connection: Connection) throws {
        let parts = fullName.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        try connection.execute("""
            UPDATE repositories SET full_name = \(fullName), owner = \(parts[0]), name = \(parts[1]) \(touched("repositories", catalog))
            WHERE id = \(repositoryID) AND full_name <> \(fullName)
              AND NOT EXISTS (SELECT 1 FROM repositories other WHERE other.full_name = \(fullName))
            """)
    }
}
